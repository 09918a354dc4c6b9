// Package apifytest is a local server speaking Apify's API for the Instagram profile scraper,
// as the apify adapter calls it: the synchronous run-sync-get-dataset-items endpoint, the
// asynchronous run → poll → dataset flow it falls back to after a 408, the Bearer token, and
// Apify's {"error": {"type", "message"}} envelope. Any username gets a generated, deterministic
// public profile (ProfileItem); Options name the usernames that are not found, private, failing
// or slow enough to need the asynchronous path, and add a latency to every request.
//
// It is used by tests (the adapter's, the HTTP host's) and by hosts/cmd/fakeapify, the local
// server behind `make run` and `make bench` with APIFY_BASE_URL pointing at it.
package apifytest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// DefaultActorID is the actor the server answers for unless Options.ActorID says otherwise.
const DefaultActorID = "apify~instagram-profile-scraper"

// Options configure a Server. The username sets hold lowercase usernames without "@".
type Options struct {
	// Latency is slept before answering each request (the client's context ends it early).
	Latency time.Duration
	// NotFound usernames get the actor's error item ({"error": "no_items", …}) in a run that
	// succeeds, as Apify answers for a profile that does not exist.
	NotFound []string
	// Private usernames get a private profile: the header, no posts.
	Private []string
	// Fail usernames make every request naming them answer FailStatus with Apify's error
	// envelope (the run is never started).
	Fail []string
	// FailStatus is the status of a failing request (default 500): 400 answers type
	// "run-failed", 401 "token-not-valid", 402 "not-enough-usage-to-run-paid-actor", 408
	// "run-timeout-exceeded", 429 "rate-limit-exceeded", anything else "internal-error".
	FailStatus int
	// Async usernames are slow: the sync endpoint answers 408 "run-timeout-exceeded" (as Apify
	// does after its 300 s wait), and a run started on /runs answers RUNNING to its first poll
	// and SUCCEEDED to the next, with the profile in its dataset.
	Async []string
	// Token is the only API token accepted; "" accepts any non-empty Bearer token. A token in
	// the query string is refused (the adapter must send the header).
	Token string
	// ActorID is the actor answered for (default DefaultActorID); others are 404.
	ActorID string
	// Now is the clock post timestamps are generated from (default time.Now).
	Now func() time.Time
	// OnRequest, when set, is called after each request is answered (from the serving
	// goroutine: it must be safe for concurrent use).
	OnRequest func(Event)
}

// Event describes one answered request.
type Event struct {
	Method, Path string
	// Usernames are the usernames of the actor input (run endpoints) or of the run (polls,
	// datasets); nil for other requests.
	Usernames []string
	Status    int
	Duration  time.Duration
}

// Server is the fake Apify API: an http.Handler, with Start/URL/Close around httptest.
type Server struct {
	opts                          Options
	notFound, private, fail, slow map[string]bool

	mu       sync.Mutex
	srv      *httptest.Server
	runs     map[string]*fakeRun
	perUser  map[string]int
	requests int
}

type fakeRun struct {
	id, dataset string
	usernames   []string
	polls       int
}

// New returns a server with opts; call Start to listen, or serve it with any http.Server.
func New(opts Options) *Server {
	if opts.FailStatus == 0 {
		opts.FailStatus = http.StatusInternalServerError
	}
	if opts.ActorID == "" {
		opts.ActorID = DefaultActorID
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Server{opts: opts, notFound: set(opts.NotFound), private: set(opts.Private), fail: set(opts.Fail),
		slow: set(opts.Async), runs: map[string]*fakeRun{}, perUser: map[string]int{}}
}

func set(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[normalise(n)] = true
	}
	return m
}

func normalise(u string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(u), "@"))
}

// Start listens on a free loopback port and returns s.
func (s *Server) Start() *Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil {
		s.srv = httptest.NewServer(s)
	}
	return s
}

// URL is the API base URL, ".../v2" (apify.Config.BaseURL, APIFY_BASE_URL). Start first.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil {
		panic("apifytest: URL before Start")
	}
	return s.srv.URL + "/v2"
}

// Close stops a started server (idempotent; a no-op when never started).
func (s *Server) Close() {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// Requests is how many actor runs (synchronous or started) named username.
func (s *Server) Requests(username string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.perUser[normalise(username)]
}

// Total is how many HTTP requests the server received, of any kind (refused ones too).
func (s *Server) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	users := s.serve(rec, r)
	if s.opts.OnRequest != nil {
		s.opts.OnRequest(Event{Method: r.Method, Path: r.URL.Path, Usernames: users, Status: rec.status, Duration: time.Since(start)})
	}
}

// serve answers r and returns the usernames it concerned.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) []string {
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	// The body is read before the latency: only then does net/http watch the connection, so a
	// client that gives up ends the wait (r.Context) instead of leaving it to run out.
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		apifyError(w, http.StatusBadRequest, "invalid-input", "the request body could not be read")
		return nil
	}
	if s.opts.Latency > 0 {
		t := time.NewTimer(s.opts.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop() // the client left, or the server is shutting down: answer what Apify would
			apifyError(w, http.StatusServiceUnavailable, "server-shutting-down", "The request was cancelled")
			return nil
		}
	}
	token, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch {
	case r.URL.Query().Has("token"):
		apifyError(w, http.StatusUnauthorized, "token-not-valid", "Send the token in the Authorization header, not the query string.")
		return nil
	case !bearer || token == "":
		apifyError(w, http.StatusUnauthorized, "token-not-provided", "Authentication token was not provided")
		return nil
	case s.opts.Token != "" && token != s.opts.Token:
		apifyError(w, http.StatusUnauthorized, "token-not-valid", "Authentication token is not valid.")
		return nil
	}
	path, ok := strings.CutPrefix(r.URL.Path, "/v2/")
	if !ok {
		apifyError(w, http.StatusNotFound, "page-not-found", "This API endpoint does not exist")
		return nil
	}
	actor := "acts/" + s.opts.ActorID + "/"
	switch {
	case strings.HasPrefix(path, "acts/") && !strings.HasPrefix(path, actor):
		apifyError(w, http.StatusNotFound, "record-not-found", "Actor was not found")
	case path == actor+"run-sync-get-dataset-items":
		if !allow(w, r, http.MethodPost) {
			return nil
		}
		return s.runSync(w, body)
	case path == actor+"runs":
		if !allow(w, r, http.MethodPost) {
			return nil
		}
		return s.startRun(w, body)
	case strings.HasPrefix(path, "actor-runs/"):
		return s.runRoute(w, r, strings.TrimPrefix(path, "actor-runs/"))
	case strings.HasPrefix(path, "datasets/") && strings.HasSuffix(path, "/items"):
		if !allow(w, r, http.MethodGet) {
			return nil
		}
		return s.datasetItems(w, strings.TrimSuffix(strings.TrimPrefix(path, "datasets/"), "/items"))
	default:
		apifyError(w, http.StatusNotFound, "page-not-found", "This API endpoint does not exist")
	}
	return nil
}

func allow(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method != method {
		apifyError(w, http.StatusMethodNotAllowed, "method-not-allowed", "This API endpoint can only be accessed using the following HTTP methods: "+method)
		return false
	}
	return true
}

// input reads the actor input ({"usernames": [...]}), counts a run per username, and answers
// the request itself (false) when the input is unusable or names a failing username.
func (s *Server) input(w http.ResponseWriter, body []byte) ([]string, bool) {
	var in struct {
		Usernames []string `json:"usernames"`
	}
	if json.Unmarshal(body, &in) != nil || len(in.Usernames) == 0 {
		apifyError(w, http.StatusBadRequest, "invalid-input", "Input is not valid: field input.usernames is required")
		return nil, false
	}
	users := make([]string, len(in.Usernames))
	s.mu.Lock()
	for i, u := range in.Usernames {
		users[i] = normalise(u)
		s.perUser[users[i]]++
	}
	s.mu.Unlock()
	if s.failing(w, users) {
		return users, false
	}
	return users, true
}

// failing answers FailStatus when one of users is in the Fail set.
func (s *Server) failing(w http.ResponseWriter, users []string) bool {
	for _, u := range users {
		if s.fail[u] {
			st := s.opts.FailStatus
			typ, msg := "internal-error", "Something went wrong. Please try again later."
			switch st {
			case http.StatusBadRequest:
				typ, msg = "run-failed", "Actor run did not succeed (run ID: fAkErUn0000000000, status: FAILED)"
			case http.StatusUnauthorized:
				typ, msg = "token-not-valid", "Authentication token is not valid."
			case http.StatusPaymentRequired:
				typ, msg = "not-enough-usage-to-run-paid-actor", "You have reached your monthly usage limit."
			case http.StatusRequestTimeout:
				typ, msg = "run-timeout-exceeded", "Actor run exceeded timeout of 300 seconds for this API endpoint"
			case http.StatusTooManyRequests:
				typ, msg = "rate-limit-exceeded", "You have exceeded the rate limit of 200 requests per second."
			}
			apifyError(w, st, typ, msg)
			return true
		}
	}
	return false
}

func (s *Server) runSync(w http.ResponseWriter, body []byte) []string {
	users, ok := s.input(w, body)
	if !ok {
		return users
	}
	for _, u := range users {
		if s.slow[u] {
			apifyError(w, http.StatusRequestTimeout, "run-timeout-exceeded", "Actor run exceeded timeout of 300 seconds for this API endpoint")
			return users
		}
	}
	s.writeDataset(w, http.StatusCreated, users)
	return users
}

func (s *Server) startRun(w http.ResponseWriter, body []byte) []string {
	users, ok := s.input(w, body)
	if !ok {
		return users
	}
	s.mu.Lock()
	n := len(s.runs) + 1
	run := &fakeRun{id: fmt.Sprintf("fAkErUn%010d", n), dataset: fmt.Sprintf("fAkEdAtAsEt%06d", n), usernames: users}
	s.runs[run.id] = run
	s.mu.Unlock()
	w.Header().Set("Location", "/v2/actor-runs/"+run.id)
	writeJSON(w, http.StatusCreated, map[string]any{"data": s.runObject(run, "RUNNING")})
	return users
}

// runRoute answers GET actor-runs/{id} (a poll: RUNNING once, then SUCCEEDED) and POST
// actor-runs/{id}/abort.
func (s *Server) runRoute(w http.ResponseWriter, r *http.Request, rest string) []string {
	id, abort := strings.CutSuffix(rest, "/abort")
	s.mu.Lock()
	run := s.runs[id]
	s.mu.Unlock()
	switch {
	case run == nil:
		apifyError(w, http.StatusNotFound, "record-not-found", "Actor run was not found")
		return nil
	case abort && r.Method == http.MethodPost:
		writeJSON(w, http.StatusOK, map[string]any{"data": s.runObject(run, "ABORTING")})
	case !abort && r.Method == http.MethodGet:
		s.mu.Lock()
		run.polls++
		status := "RUNNING"
		if run.polls >= 2 {
			status = "SUCCEEDED"
		}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"data": s.runObject(run, status)})
	default:
		apifyError(w, http.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed")
	}
	return run.usernames
}

func (s *Server) datasetItems(w http.ResponseWriter, id string) []string {
	s.mu.Lock()
	var users []string
	for _, run := range s.runs {
		if run.dataset == id {
			users = run.usernames
		}
	}
	s.mu.Unlock()
	if users == nil {
		apifyError(w, http.StatusNotFound, "record-not-found", "Dataset was not found")
		return nil
	}
	s.writeDataset(w, http.StatusOK, users)
	return users
}

// writeDataset answers the items of users with the pagination headers of a dataset.
func (s *Server) writeDataset(w http.ResponseWriter, status int, users []string) {
	now := s.opts.Now()
	items := make([]Item, 0, len(users))
	for _, u := range users {
		switch {
		case s.notFound[u]:
			items = append(items, NotFoundItem(u))
		case s.private[u]:
			items = append(items, PrivateItem(u, now))
		default:
			items = append(items, ProfileItem(u, now))
		}
	}
	n := fmt.Sprint(len(items))
	w.Header().Set("X-Apify-Pagination-Offset", "0")
	w.Header().Set("X-Apify-Pagination-Limit", "250000")
	w.Header().Set("X-Apify-Pagination-Count", n)
	w.Header().Set("X-Apify-Pagination-Total", n)
	writeJSON(w, status, items)
}

func (s *Server) runObject(run *fakeRun, status string) map[string]any {
	usage, finished := 0.0, any(nil)
	if status == "SUCCEEDED" {
		usage = 0.0026 * float64(len(run.usernames))
		finished = s.opts.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	}
	return map[string]any{"id": run.id, "actId": "fAkEaCtOr", "status": status, "defaultDatasetId": run.dataset,
		"startedAt": s.opts.Now().UTC().Format("2006-01-02T15:04:05.000Z"), "finishedAt": finished, "usageTotalUsd": usage,
		"options": map[string]any{"build": "latest", "timeoutSecs": 120, "memoryMbytes": 1024}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func apifyError(w http.ResponseWriter, status int, typ, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"type": typ, "message": msg}})
}

// recorder remembers the status written, for Event.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}
