package apify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/oslira/oslira/adapters/httpclient"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/lead"
	"github.com/oslira/oslira/core/secret"
)

// ProviderName labels the answers of this adapter.
const ProviderName = "apify"

// maxBody bounds what is read of one response (a profile with 12 posts is ~30 KiB).
const maxBody = 8 << 20

// Scraper is lead.Scraper on Apify. Safe for concurrent use.
type Scraper struct {
	cfg     Config
	http    *httpclient.Client
	secrets secret.Provider
	log     *slog.Logger
	now     func() time.Time
}

var _ lead.Scraper = (*Scraper)(nil)

// NewHTTPClient builds the adapter's HTTP client from base (retries, backoff, breaker, logger,
// metrics), forcing what Apify needs: the name "apify", a per-attempt timeout that outlasts a
// run (cfg.HTTPTimeout), and no retry of 408 — on the sync endpoint it means "switch to
// polling", and sending again would start (and pay for) a second run.
func NewHTTPClient(cfg Config, base httpclient.Config) (*httpclient.Client, error) {
	cfg, err := cfg.WithDefaults()
	if err != nil {
		return nil, err
	}
	base.Name = ProviderName
	base.Timeout = cfg.HTTPTimeout()
	base.NoRetryStatuses = append(base.NoRetryStatuses, http.StatusRequestTimeout)
	return httpclient.New(base)
}

// New returns the adapter. client should come from NewHTTPClient; the token is read from
// secrets (TokenSecret) on every call. log may be nil.
func New(cfg Config, client *httpclient.Client, secrets secret.Provider, log *slog.Logger) (*Scraper, error) {
	cfg, err := cfg.WithDefaults()
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Scraper{cfg: cfg, http: client, secrets: secrets, log: log, now: time.Now}, nil
}

// Scrape implements lead.Scraper.
func (s *Scraper) Scrape(ctx context.Context, username string) (lead.ScrapeResult, error) {
	u := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(username), "@"))
	if u == "" {
		return lead.ScrapeResult{}, lead.ErrInvalidUsername
	}
	token, err := s.secrets.Get(ctx, TokenSecret)
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			return lead.ScrapeResult{}, lead.ErrScraperRejected.WithMessage("Apify token is not configured").WithCause(err)
		}
		return lead.ScrapeResult{}, lead.ErrScraperUnavailable.WithCause(err)
	}
	input, _ := json.Marshal(map[string]any{"usernames": []string{u}})

	q := s.runQuery()
	q.Set("format", "json")
	q.Set("clean", "true")
	status, body, err := s.call(ctx, http.MethodPost, s.actorURL("run-sync-get-dataset-items", q), token, input)
	if err != nil {
		return lead.ScrapeResult{}, err
	}
	switch {
	case status == http.StatusOK || status == http.StatusCreated:
		return s.answer(ctx, "sync", body, u, -1)
	case status == http.StatusRequestTimeout:
		s.log.WarnContext(ctx, "apify sync run exceeded the endpoint's wait; polling a new run", slog.String("username", u))
		return s.scrapeAsync(ctx, token, input, u)
	default:
		return lead.ScrapeResult{}, statusError(status, body)
	}
}

// run is the "data" of Apify's run object.
type run struct {
	ID               string  `json:"id"`
	Status           string  `json:"status"`
	DefaultDatasetID string  `json:"defaultDatasetId"`
	UsageTotalUSD    float64 `json:"usageTotalUsd"`
}

// scrapeAsync starts the run, polls it to a terminal status within MaxWait and reads its dataset.
// A run still going at MaxWait is aborted (best effort) so it stops billing.
func (s *Scraper) scrapeAsync(ctx context.Context, token string, input []byte, username string) (lead.ScrapeResult, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.MaxWait)
	defer cancel()
	q := s.runQuery()
	q.Set("waitForFinish", "0")
	r, err := s.runCall(ctx, http.MethodPost, s.actorURL("runs", q), token, input)
	if err != nil {
		return lead.ScrapeResult{}, err
	}
	for !terminal(r.Status) {
		gaveUp := func(err error) error {
			s.abort(token, r.ID)
			return lead.ErrScraperUnavailable.WithCause(fmt.Errorf("apify run %s still %s after %s: %w", r.ID, r.Status, s.cfg.MaxWait, err))
		}
		if err := sleep(ctx, s.cfg.PollInterval); err != nil {
			return lead.ScrapeResult{}, gaveUp(err)
		}
		wait := url.Values{"waitForFinish": {strconv.Itoa(int(s.cfg.PollWait / time.Second))}}
		next, err := s.runCall(ctx, http.MethodGet, s.cfg.BaseURL+"/actor-runs/"+url.PathEscape(r.ID)+"?"+wait.Encode(), token, nil)
		if err != nil {
			if ctx.Err() != nil {
				return lead.ScrapeResult{}, gaveUp(ctx.Err())
			}
			return lead.ScrapeResult{}, err
		}
		r = next
	}
	if r.Status != "SUCCEEDED" {
		return lead.ScrapeResult{}, lead.ErrScraperUnavailable.WithCause(fmt.Errorf("apify run %s ended %s", r.ID, r.Status))
	}
	items := url.Values{"format": {"json"}, "clean": {"true"}}
	status, body, err := s.call(ctx, http.MethodGet, s.cfg.BaseURL+"/datasets/"+url.PathEscape(r.DefaultDatasetID)+"/items?"+items.Encode(), token, nil)
	if err != nil {
		return lead.ScrapeResult{}, err
	}
	if status != http.StatusOK {
		return lead.ScrapeResult{}, statusError(status, body)
	}
	return s.answer(ctx, "async", body, username, int64(r.UsageTotalUSD*1e6+0.5))
}

func terminal(status string) bool {
	switch status {
	case "SUCCEEDED", "FAILED", "TIMED-OUT", "ABORTED":
		return true
	}
	return false
}

// runCall makes a call answering a run object ({"data": run}) with 200 or 201.
func (s *Scraper) runCall(ctx context.Context, method, u, token string, body []byte) (run, error) {
	status, raw, err := s.call(ctx, method, u, token, body)
	if err != nil {
		return run{}, err
	}
	if status != http.StatusOK && status != http.StatusCreated {
		return run{}, statusError(status, raw)
	}
	var env struct {
		Data run `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil || env.Data.ID == "" {
		return run{}, lead.ErrScraperUnavailable.WithCause(fmt.Errorf("apify: unreadable run object (%d bytes)", len(raw)))
	}
	return env.Data, nil
}

// abort asks Apify to stop a run we gave up on, so it stops billing. Best effort, off the
// caller's (expired) context.
func (s *Scraper) abort(token, runID string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, _, err := s.call(ctx, http.MethodPost, s.cfg.BaseURL+"/actor-runs/"+url.PathEscape(runID)+"/abort", token, nil); err != nil {
		s.log.WarnContext(ctx, "apify run abort failed", slog.String("run_id", runID), slog.String("error", err.Error()))
	}
}

// answer turns a dataset into a ScrapeResult. runCost is the run's own cost in micro-dollars, or
// negative (or 0) when Apify did not report it: then the profile items are priced.
func (s *Scraper) answer(ctx context.Context, path string, body []byte, username string, runCost int64) (lead.ScrapeResult, error) {
	it, ok, profiles, err := decodeItems(body, username)
	if err != nil {
		return lead.ScrapeResult{}, lead.ErrScraperUnavailable.WithCause(fmt.Errorf("apify: unreadable dataset (%d bytes): %w", len(body), err))
	}
	cost := runCost
	if cost <= 0 {
		cost = int64(profiles) * s.cfg.CostPerResultMicros
	}
	now := s.now().UTC()
	r := lead.ScrapeResult{Outcome: lead.NotFound, Provider: ProviderName, CostMicros: cost, OriginalCostMicros: cost, FetchedAt: now}
	if ok {
		r.Profile = it.snapshot(now)
		r.Outcome = lead.Found
		if it.Private {
			r.Outcome = lead.Private
		}
	}
	s.log.InfoContext(ctx, "apify scrape", slog.String("username", username), slog.String("outcome", string(r.Outcome)),
		slog.String("path", path), slog.Int64("cost_micros", cost))
	return r, nil
}

// call sends one request through the HTTP client and reads the answer. Transport failures and an
// open breaker are lead.ErrScraperUnavailable.
func (s *Scraper) call(ctx context.Context, method, u, token string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, nil, apperr.Wrap(err, apperr.Internal, apperr.CodeInternal, "apify request")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return 0, nil, lead.ErrScraperUnavailable.WithCause(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, lead.ErrScraperUnavailable.WithCause(fmt.Errorf("apify: reading the answer: %w", err))
	}
	return resp.StatusCode, raw, nil
}

// statusError maps an Apify error answer to the lead errors.
func statusError(status int, body []byte) error {
	var env struct {
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &env)
	cause := fmt.Errorf("apify answered %d %s: %s", status, env.Error.Type, truncate(env.Error.Message, 200))
	switch {
	case status == http.StatusTooManyRequests:
		return lead.ErrScraperRateLimited.WithCause(cause)
	case status >= 500, status == http.StatusRequestTimeout, env.Error.Type == "run-failed":
		return lead.ErrScraperUnavailable.WithCause(cause)
	default:
		return lead.ErrScraperRejected.WithCause(cause)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func (s *Scraper) runQuery() url.Values {
	return url.Values{
		"timeout": {strconv.Itoa(int(s.cfg.RunTimeout / time.Second))},
		"memory":  {strconv.Itoa(s.cfg.MemoryMB)},
	}
}

func (s *Scraper) actorURL(endpoint string, q url.Values) string {
	return s.cfg.BaseURL + "/acts/" + url.PathEscape(s.cfg.ActorID) + "/" + endpoint + "?" + q.Encode()
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
