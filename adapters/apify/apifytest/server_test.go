package apifytest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/apify"
	"github.com/oslira/oslira/adapters/apify/apifytest"
	"github.com/oslira/oslira/adapters/httpclient"
	"github.com/oslira/oslira/core/lead"
	"github.com/oslira/oslira/core/secret"
)

const token = "apify_api_FAKE"

type secrets map[string]string

func (s secrets) Get(_ context.Context, name string) (string, error) {
	if v, ok := s[name]; ok {
		return v, nil
	}
	return "", secret.ErrNotFound
}

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// start runs a server with opts (token and clock fixed unless set) and the real adapter on it.
func start(t *testing.T, opts apifytest.Options) (*apifytest.Server, *apify.Scraper) {
	t.Helper()
	if opts.Token == "" {
		opts.Token = token
	}
	opts.Now = func() time.Time { return now }
	s := apifytest.New(opts).Start()
	t.Cleanup(s.Close)
	cfg := apify.Config{BaseURL: s.URL(), PollWait: 0, PollInterval: time.Millisecond, MaxWait: 5 * time.Second}
	client, err := apify.NewHTTPClient(cfg, httpclient.Config{BackoffMin: time.Millisecond, BackoffMax: 2 * time.Millisecond, MaxRetries: 2})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := apify.New(cfg, client, secrets{apify.TokenSecret: token}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s, sc
}

// TestAnyUsernameIsAGeneratedPublicProfile: the adapter reads the generated item field by field
// (followers, posts with likes, comments, hashtags, timestamps), and the run is counted once.
func TestAnyUsernameIsAGeneratedPublicProfile(t *testing.T) {
	t.Parallel()
	s, sc := start(t, apifytest.Options{})
	r, err := sc.Scrape(t.Context(), "@Bench.0001")
	if err != nil {
		t.Fatal(err)
	}
	want := apifytest.ProfileItem("bench.0001", now)
	p := r.Profile
	if r.Outcome != lead.Found || p == nil || p.Username != "bench.0001" || p.FollowersCount != *want.FollowersCount ||
		p.FollowingCount != *want.FollowsCount || p.PostsCount != *want.PostsCount || p.FullName != "Bench 0001" || p.Private {
		t.Fatalf("result %+v, profile %+v", r, p)
	}
	if len(p.RecentPosts) != len(want.LatestPosts) || len(p.RecentPosts) == 0 {
		t.Fatalf("%d posts, generated %d", len(p.RecentPosts), len(want.LatestPosts))
	}
	for i, po := range p.RecentPosts {
		w := want.LatestPosts[i]
		ts, _ := time.Parse(time.RFC3339, w.Timestamp)
		if po.Likes != w.LikesCount || po.Comments != w.CommentsCount || !reflect.DeepEqual(po.Hashtags, w.Hashtags) ||
			po.Caption != w.Caption || !po.Timestamp.Equal(ts) || po.Timestamp.After(now) || po.LikesHidden {
			t.Errorf("post %d: %+v, generated %+v", i, po, w)
		}
		if i > 0 && !po.Timestamp.Before(p.RecentPosts[i-1].Timestamp) {
			t.Errorf("post %d is not older than post %d", i, i-1)
		}
	}
	if got := s.Requests("bench.0001"); got != 1 {
		t.Errorf("Requests = %d, want 1", got)
	}
	if got := s.Requests("bench.0002"); got != 0 {
		t.Errorf("Requests of an unscraped username = %d", got)
	}
}

// TestProfilesAreDeterministicAndVaried: one username always gets the same profile; different
// usernames get different follower counts, niches and engagement, hence different scores.
func TestProfilesAreDeterministicAndVaried(t *testing.T) {
	t.Parallel()
	a, b := apifytest.ProfileItem("bench.0007", now), apifytest.ProfileItem("bench.0007", now)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same username generated two different profiles")
	}
	followers, categories, scores := map[int64]bool{}, map[string]bool{}, map[int]bool{}
	for i := range 60 {
		u := "handle" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		it := apifytest.ProfileItem(u, now)
		followers[*it.FollowersCount] = true
		if it.BusinessCategoryName != nil {
			categories[*it.BusinessCategoryName] = true
		}
		var likes int64
		for _, p := range it.LatestPosts {
			likes += p.LikesCount
		}
		m := lead.ExtractMetrics(lead.ProfileSnapshot{FollowersCount: *it.FollowersCount, RecentPosts: posts(it), ScrapedAt: now})
		scores[m.EngagementScore.Or(-1)] = true
		if likes == 0 && *it.FollowersCount > 10_000 {
			t.Errorf("%s: %d followers and no likes", u, *it.FollowersCount)
		}
	}
	if len(followers) < 55 || len(categories) < 6 || len(scores) < 15 {
		t.Errorf("60 usernames: %d follower counts, %d categories, %d engagement scores: not varied enough",
			len(followers), len(categories), len(scores))
	}
}

func posts(it apifytest.Item) []lead.Post {
	out := make([]lead.Post, len(it.LatestPosts))
	for i, p := range it.LatestPosts {
		ts, _ := time.Parse(time.RFC3339, p.Timestamp)
		out[i] = lead.Post{Likes: p.LikesCount, Comments: p.CommentsCount, Timestamp: ts}
	}
	return out
}

func TestNotFoundAndPrivateAreAnswers(t *testing.T) {
	t.Parallel()
	s, sc := start(t, apifytest.Options{NotFound: []string{"ghost"}, Private: []string{"@Shy"}})
	r, err := sc.Scrape(t.Context(), "ghost")
	if err != nil || r.Outcome != lead.NotFound || r.Profile != nil || r.CostMicros != 0 {
		t.Errorf("not found: %+v, %v", r, err)
	}
	r, err = sc.Scrape(t.Context(), "shy")
	if err != nil || r.Outcome != lead.Private || r.Profile == nil || !r.Profile.Private || len(r.Profile.RecentPosts) != 0 ||
		r.Profile.FollowersCount != *apifytest.ProfileItem("shy", now).FollowersCount {
		t.Errorf("private: %+v, %v", r, err)
	}
	if s.Requests("ghost") != 1 || s.Requests("shy") != 1 {
		t.Errorf("requests ghost %d, shy %d", s.Requests("ghost"), s.Requests("shy"))
	}
}

// TestFailingUsernamesMapToTheAdaptersErrors: each FailStatus is Apify's envelope, which the
// adapter maps — 5xx retried then unavailable, 429 rate limited, 402/401 rejected, 400 run-failed
// unavailable — while other usernames on the same server still succeed.
func TestFailingUsernamesMapToTheAdaptersErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status   int
		want     error
		attempts int
	}{
		{0, lead.ErrScraperUnavailable, 3}, // default 500, retried twice
		{503, lead.ErrScraperUnavailable, 3},
		{429, lead.ErrScraperRateLimited, 3},
		{402, lead.ErrScraperRejected, 1},
		{401, lead.ErrScraperRejected, 1},
		{400, lead.ErrScraperUnavailable, 1},
	} {
		s, sc := start(t, apifytest.Options{Fail: []string{"broken"}, FailStatus: tc.status})
		_, err := sc.Scrape(t.Context(), "broken")
		if !errors.Is(err, tc.want) {
			t.Errorf("status %d: err %v, want %v", tc.status, err, tc.want)
		}
		if got := s.Requests("broken"); got != tc.attempts {
			t.Errorf("status %d: %d attempts, want %d", tc.status, got, tc.attempts)
		}
		if r, err := sc.Scrape(t.Context(), "fine"); err != nil || r.Outcome != lead.Found {
			t.Errorf("status %d: another username: %+v, %v", tc.status, r, err)
		}
	}
}

// TestAsyncUsernamesTakeThePollingPath: the sync endpoint answers 408, the adapter starts a run,
// polls it to SUCCEEDED and reads its dataset, priced from the run's usage.
func TestAsyncUsernamesTakeThePollingPath(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var paths []string
	s, sc := start(t, apifytest.Options{Async: []string{"slowpoke"}, OnRequest: func(e apifytest.Event) {
		mu.Lock()
		defer mu.Unlock()
		paths = append(paths, e.Method+" "+strings.Split(e.Path, "/")[2]+" "+strings.Join(e.Usernames, ","))
	}})
	r, err := sc.Scrape(t.Context(), "slowpoke")
	if err != nil || r.Outcome != lead.Found || r.Profile.FollowersCount != *apifytest.ProfileItem("slowpoke", now).FollowersCount || r.CostMicros != 2600 {
		t.Fatalf("%+v, %v", r, err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"POST acts slowpoke", "POST acts slowpoke", "GET actor-runs slowpoke", "GET actor-runs slowpoke", "GET datasets slowpoke"}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("requests %q, want %q", paths, want)
	}
	if s.Requests("slowpoke") != 2 || s.Total() != 5 {
		t.Errorf("runs %d, total %d", s.Requests("slowpoke"), s.Total())
	}
}

func TestWrongTokenIsRejected(t *testing.T) {
	t.Parallel()
	s := apifytest.New(apifytest.Options{Token: "right"}).Start()
	defer s.Close()
	cfg := apify.Config{BaseURL: s.URL()}
	client, _ := apify.NewHTTPClient(cfg, httpclient.Config{})
	sc, _ := apify.New(cfg, client, secrets{apify.TokenSecret: "wrong"}, nil)
	if _, err := sc.Scrape(t.Context(), "anyone"); !errors.Is(err, lead.ErrScraperRejected) || !strings.Contains(err.Error(), "token-not-valid") {
		t.Errorf("err %v", err)
	}
	if s.Requests("anyone") != 0 {
		t.Error("a refused request was counted as a run")
	}
}

// TestLatencyDelaysEveryAnswer: with a latency far beyond the caller's deadline the call fails
// on the deadline — the server did wait — and the server's wait ends with the request.
func TestLatencyDelaysEveryAnswer(t *testing.T) {
	t.Parallel()
	_, sc := start(t, apifytest.Options{Latency: time.Hour})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := sc.Scrape(ctx, "patient"); !errors.Is(err, lead.ErrScraperUnavailable) {
		t.Errorf("err %v", err)
	}
}

// TestCancelledWaitIsAnswered503: a request whose context ends during the latency (the client
// left, or fakeapify is stopping) gets Apify's envelope with 503, not an empty 200.
func TestCancelledWaitIsAnswered503(t *testing.T) {
	t.Parallel()
	s := apifytest.New(apifytest.Options{Latency: time.Hour})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	req := httptest.NewRequestWithContext(ctx, "POST", "/v2/acts/apify~instagram-profile-scraper/run-sync-get-dataset-items",
		strings.NewReader(`{"usernames": ["a"]}`))
	req.Header.Set("Authorization", "Bearer x")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"type":"server-shutting-down"`) || s.Requests("a") != 0 {
		t.Errorf("%d %s, runs %d", rec.Code, rec.Body, s.Requests("a"))
	}
}

// call sends a raw request to the server.
func call(t *testing.T, method, url, auth, body string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw), resp.Header
}

// TestWireDetails: the envelope and statuses of what the adapter never sends — several
// usernames in one input, a missing or query-string token, other actors, unknown paths and
// methods, unknown runs and datasets, an abort.
func TestWireDetails(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var events []apifytest.Event
	s := apifytest.New(apifytest.Options{NotFound: []string{"ghost"}, OnRequest: func(e apifytest.Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}}).Start()
	defer s.Close()
	base, bearer := s.URL(), "Bearer any"
	sync := base + "/acts/apify~instagram-profile-scraper/run-sync-get-dataset-items?format=json"

	status, body, h := call(t, "POST", sync, bearer, `{"usernames": ["One", "ghost"]}`)
	var items []apifytest.Item
	if err := json.Unmarshal([]byte(body), &items); err != nil || status != 201 || len(items) != 2 ||
		items[0].Username != "one" || items[1].Error != "no_items" || h.Get("X-Apify-Pagination-Total") != "2" {
		t.Errorf("two usernames: %d %s %v", status, body, h)
	}
	for _, tc := range []struct {
		method, url, auth, body string
		status                  int
		typ                     string
	}{
		{"POST", sync, "", `{"usernames": ["a"]}`, 401, "token-not-provided"},
		{"POST", sync + "&token=x", bearer, `{"usernames": ["a"]}`, 401, "token-not-valid"},
		{"POST", sync, bearer, `{"usernames": []}`, 400, "invalid-input"},
		{"POST", sync, bearer, `not json`, 400, "invalid-input"},
		{"GET", sync, bearer, ``, 405, "method-not-allowed"},
		{"GET", base + "/acts/apify~instagram-profile-scraper/runs", bearer, ``, 405, "method-not-allowed"},
		{"POST", base + "/acts/apify~instagram-scraper/run-sync-get-dataset-items", bearer, `{"usernames": ["a"]}`, 404, "record-not-found"},
		{"GET", base + "/actor-runs/nope", bearer, ``, 404, "record-not-found"},
		{"GET", base + "/datasets/nope/items", bearer, ``, 404, "record-not-found"},
		{"POST", base + "/datasets/nope/items", bearer, ``, 405, "method-not-allowed"},
		{"GET", base + "/users/me", bearer, ``, 404, "page-not-found"},
		{"GET", strings.TrimSuffix(base, "/v2") + "/v1/acts", bearer, ``, 404, "page-not-found"},
	} {
		status, body, _ := call(t, tc.method, tc.url, tc.auth, tc.body)
		var env struct {
			Error struct{ Type, Message string }
		}
		if err := json.Unmarshal([]byte(body), &env); err != nil || status != tc.status || env.Error.Type != tc.typ || env.Error.Message == "" {
			t.Errorf("%s %s: %d %s, want %d %s", tc.method, tc.url, status, body, tc.status, tc.typ)
		}
	}

	status, body, _ = call(t, "POST", base+"/acts/apify~instagram-profile-scraper/runs", bearer, `{"usernames": ["x"]}`)
	var run struct{ Data struct{ ID, Status string } }
	if err := json.Unmarshal([]byte(body), &run); err != nil || status != 201 || run.Data.Status != "RUNNING" {
		t.Fatalf("start: %d %s", status, body)
	}
	if status, body, _ = call(t, "POST", base+"/actor-runs/"+run.Data.ID+"/abort", bearer, ``); status != 200 || !strings.Contains(body, `"ABORTING"`) {
		t.Errorf("abort: %d %s", status, body)
	}
	if status, _, _ = call(t, "DELETE", base+"/actor-runs/"+run.Data.ID, bearer, ``); status != 405 {
		t.Errorf("delete a run: %d", status)
	}
	if s.Requests("one") != 1 || s.Requests("GHOST") != 1 || s.Requests("x") != 1 || s.Total() != 16 {
		t.Errorf("requests one %d ghost %d x %d total %d", s.Requests("one"), s.Requests("ghost"), s.Requests("x"), s.Total())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 16 || events[0].Status != 201 || !reflect.DeepEqual(events[0].Usernames, []string{"one", "ghost"}) || events[1].Status != 401 {
		t.Errorf("events %+v", events)
	}
}

func TestURLBeforeStartPanicsAndCloseIsSafe(t *testing.T) {
	t.Parallel()
	s := apifytest.New(apifytest.Options{})
	s.Close() // never started: no-op
	defer func() {
		if recover() == nil {
			t.Error("URL before Start did not panic")
		}
	}()
	_ = s.URL()
}
