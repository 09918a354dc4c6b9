package apify_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

const testToken = "apify_api_TESTTOKEN"

// profileItem is a profile item in the actor's output format (wire-formats §1.6).
func profileItem(username string, private bool) map[string]any {
	posts := []any{}
	if !private {
		posts = []any{
			map[string]any{"id": "3300000000000000001", "type": "Sidecar", "shortCode": "C9AbCdEfGhI", "url": "https://www.instagram.com/p/C9AbCdEfGhI/",
				"caption": "New drop is live #launch @partner", "hashtags": []string{"launch"}, "mentions": []string{"partner"},
				"commentsCount": 41, "likesCount": 1320, "videoViewCount": nil, "timestamp": "2026-11-28T17:04:11.000Z",
				"productType": nil, "isPinned": false, "isCommentsDisabled": false, "locationName": nil, "alt": nil},
			map[string]any{"id": "3300000000000000002", "type": "Video", "shortCode": "C9Reel", "caption": "Behind the scenes",
				"hashtags": []string{}, "commentsCount": 12, "likesCount": -1, "videoViewCount": 20500,
				"timestamp": "2026-11-20T09:00:00.000Z", "productType": "clips"},
		}
	}
	return map[string]any{
		"inputUrl": "https://www.instagram.com/" + username, "id": "1234567890", "username": username,
		"url": "https://www.instagram.com/" + username, "fullName": "Example Brand", "biography": "We make example things.",
		"externalUrl": "https://example.com/shop", "externalUrls": []any{map[string]any{"title": "Shop", "url": "https://example.com/shop", "link_type": "external"}},
		"followersCount": 48210, "followsCount": 312, "postsCount": 1187, "highlightReelCount": 9, "igtvVideoCount": 0,
		"hasChannel": false, "isBusinessAccount": true, "businessCategoryName": "Shopping & retail", "joinedRecently": false,
		"private": private, "verified": false, "profilePicUrl": "https://cdn.example/small.jpg", "profilePicUrlHD": "https://cdn.example/hd.jpg",
		"latestPosts": posts,
	}
}

// fakeApify speaks Apify's API for the profile scraper: the sync endpoint, the async run → poll →
// dataset flow, and scripted failures. Usernames decide the dataset: "ghost" → [], "gone" → an
// error item, "shy" → a private profile, anything else → a public profile.
type fakeApify struct {
	t   *testing.T
	srv *httptest.Server

	mu sync.Mutex
	// syncScript is answered, in order, by the sync endpoint before it serves normally: a status
	// and headers (an empty body means Apify's error envelope for that status).
	syncScript []scripted
	// pollsToFinish is how many polls a run answers RUNNING before SUCCEEDED.
	pollsToFinish int
	runs          map[string]*fakeRun
	requests      []string // "METHOD path" of every request
	authFailures  int
}

type scripted struct {
	status int
	header map[string]string
}

type fakeRun struct {
	id, dataset, username string
	polls                 int
	aborted               bool
}

func newFakeApify(t *testing.T) *fakeApify {
	f := &fakeApify{t: t, runs: map[string]*fakeRun{}, pollsToFinish: 2}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeApify) URL() string { return f.srv.URL + "/v2" }

func (f *fakeApify) script(s ...scripted) {
	f.mu.Lock()
	f.syncScript = append(f.syncScript, s...)
	f.mu.Unlock()
}

func (f *fakeApify) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

func (f *fakeApify) count(prefix string) int {
	n := 0
	for _, r := range f.log() {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func apifyError(w http.ResponseWriter, status int, typ, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"type": typ, "message": msg}})
}

func (f *fakeApify) dataset(username string) []any {
	switch username {
	case "ghost":
		return []any{}
	case "gone":
		return []any{map[string]any{"url": "https://www.instagram.com/gone", "inputUrl": "https://www.instagram.com/gone",
			"requestErrorMessages": []any{}, "error": "no_items", "errorDescription": "Empty or private data for provided input"}}
	case "shy":
		return []any{profileItem("shy", true)}
	default:
		return []any{profileItem(username, false)}
	}
}

func (f *fakeApify) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+testToken || r.URL.Query().Get("token") != "" {
		f.mu.Lock()
		f.authFailures++
		f.mu.Unlock()
		apifyError(w, 401, "token-not-valid", "Authentication token is not valid.")
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/v2")
	switch {
	case r.Method == http.MethodPost && path == "/acts/apify~instagram-profile-scraper/run-sync-get-dataset-items":
		f.mu.Lock()
		var next *scripted
		if len(f.syncScript) > 0 {
			next = &f.syncScript[0]
			f.syncScript = f.syncScript[1:]
		}
		f.mu.Unlock()
		if next != nil {
			for k, v := range next.header {
				w.Header().Set(k, v)
			}
			switch next.status {
			case 408:
				apifyError(w, 408, "run-timeout-exceeded", "Actor run exceeded timeout of 300 seconds for this API endpoint")
			case 429:
				apifyError(w, 429, "rate-limit-exceeded", "You have exceeded the rate limit.")
			case 400:
				apifyError(w, 400, "run-failed", "Actor run did not succeed (run ID: aB3dE5gH7jK9mN1pQ, status: FAILED)")
			default:
				apifyError(w, next.status, "internal-error", "Something went wrong")
			}
			return
		}
		u := f.input(r)
		w.Header().Set("X-Apify-Pagination-Total", "1")
		writeJSON(w, http.StatusCreated, f.dataset(u))
	case r.Method == http.MethodPost && path == "/acts/apify~instagram-profile-scraper/runs":
		u := f.input(r)
		f.mu.Lock()
		run := &fakeRun{id: fmt.Sprintf("run%d", len(f.runs)+1), dataset: fmt.Sprintf("ds%d", len(f.runs)+1), username: u}
		f.runs[run.id] = run
		f.mu.Unlock()
		w.Header().Set("Location", f.URL()+"/actor-runs/"+run.id)
		writeJSON(w, http.StatusCreated, map[string]any{"data": f.runObject(run, "RUNNING")})
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/actor-runs/"):
		f.mu.Lock()
		run := f.runs[strings.TrimPrefix(path, "/actor-runs/")]
		if run == nil {
			f.mu.Unlock()
			apifyError(w, 404, "record-not-found", "Actor run was not found")
			return
		}
		run.polls++
		status := "RUNNING"
		if run.polls >= f.pollsToFinish {
			status = "SUCCEEDED"
		}
		f.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"data": f.runObject(run, status)})
	case r.Method == http.MethodPost && strings.HasSuffix(path, "/abort"):
		f.mu.Lock()
		if run := f.runs[strings.TrimSuffix(strings.TrimPrefix(path, "/actor-runs/"), "/abort")]; run != nil {
			run.aborted = true
		}
		f.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"status": "ABORTING"}})
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/datasets/") && strings.HasSuffix(path, "/items"):
		id := strings.TrimSuffix(strings.TrimPrefix(path, "/datasets/"), "/items")
		f.mu.Lock()
		var u string
		for _, run := range f.runs {
			if run.dataset == id {
				u = run.username
			}
		}
		f.mu.Unlock()
		writeJSON(w, http.StatusOK, f.dataset(u))
	default:
		apifyError(w, 404, "actor-not-found", "Actor was not found")
	}
}

func (f *fakeApify) runObject(run *fakeRun, status string) map[string]any {
	usage := 0.0
	if status == "SUCCEEDED" {
		usage = 0.0031
	}
	return map[string]any{"id": run.id, "actId": "dSCLg0C3YEZ83HzYX", "status": status, "defaultDatasetId": run.dataset,
		"startedAt": "2026-11-30T10:00:00.000Z", "finishedAt": nil, "usageTotalUsd": usage,
		"options": map[string]any{"build": "latest", "timeoutSecs": 120, "memoryMbytes": 1024}}
}

func (f *fakeApify) input(r *http.Request) string {
	b, _ := io.ReadAll(r.Body)
	var in struct {
		Usernames []string `json:"usernames"`
	}
	if err := json.Unmarshal(b, &in); err != nil || len(in.Usernames) != 1 {
		f.t.Errorf("actor input %s: want {\"usernames\": [one]}", b)
		return ""
	}
	return in.Usernames[0]
}
