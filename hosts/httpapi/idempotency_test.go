package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/idempotency"
	"github.com/oslira/oslira/core/tenant"
)

// keysRig is an engine with one test route behind the idempotency middleware over the real
// store; the caller is the X-Test-User header, the handler counts its runs and can be held.
type keysRig struct {
	b       *testBundle
	runs    atomic.Int32
	hold    chan struct{} // when non-nil, the handler waits on it
	started chan struct{} // receives once per run
	now     atomic.Int64
}

func newKeysRig(t *testing.T) *keysRig {
	t.Helper()
	r := &keysRig{b: setup(t), started: make(chan struct{}, 64)}
	r.now.Store(time.Now().UnixNano())
	svc := idempotency.NewService(postgres.NewIdempotencyStore(postgres.NewDB(pgtest.Pool(t))),
		func() time.Time { return time.Unix(0, r.now.Load()) })
	asCaller := func(c *gin.Context) {
		c.Set(principalKey, tenant.Principal{UserID: c.GetHeader("X-Test-User"), AccountID: "acct"})
	}
	r.b.engine.POST("/things/:id", asCaller, idempotent(svc, newTestLogger(r.b.logs)), func(c *gin.Context) {
		var in struct {
			N    int    `json:"n"`
			Fail string `json:"fail"`
		}
		if err := BindJSON(c, &in); err != nil {
			_ = c.Error(err)
			return
		}
		n := r.runs.Add(1)
		r.started <- struct{}{}
		if r.hold != nil {
			<-r.hold
		}
		switch in.Fail {
		case "panic":
			panic("handler exploded")
		case "conflict":
			_ = c.Error(apperr.New(apperr.Conflict, apperr.CodeConflict, "no"))
			return
		}
		c.Header("Location", "/things/"+c.Param("id"))
		c.JSON(http.StatusCreated, gin.H{"id": c.Param("id"), "n": in.N, "run": n})
	})
	return r
}

func (r *keysRig) post(t *testing.T, user, key, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	h := http.Header{"Content-Type": {"application/json"}, "X-Test-User": {user}}
	if key != "" {
		h.Set(HeaderIdempotencyKey, key)
	}
	return r.b.do(t, http.MethodPost, path, strings.NewReader(body), h)
}

func TestIdempotencyReplayAndMismatch(t *testing.T) {
	t.Parallel()
	r := newKeysRig(t)
	key := uuid.NewString()
	first := r.post(t, "ann", key, "/things/1", `{"n": 1}`)
	if first.Code != http.StatusCreated || first.Header().Get(HeaderIdempotentReplayed) != "" {
		t.Fatalf("first: %d %v %s", first.Code, first.Header(), first.Body)
	}
	// Same request (other whitespace and key order do not matter): the stored answer, replayed.
	again := r.post(t, "ann", key, "/things/1", "{ \"n\" : 1 }")
	if again.Code != http.StatusCreated || again.Body.String() != first.Body.String() ||
		again.Header().Get(HeaderIdempotentReplayed) != "true" || again.Header().Get("Location") != "/things/1" ||
		again.Header().Get("Content-Type") != first.Header().Get("Content-Type") ||
		again.Header().Get(HeaderRequestID) == first.Header().Get(HeaderRequestID) {
		t.Fatalf("replay: %d %v %s", again.Code, again.Header(), again.Body)
	}
	// Another body, or another path, with the same key: 422.
	for _, tc := range [][2]string{{"/things/1", `{"n": 2}`}, {"/things/2", `{"n": 1}`}} {
		rec := r.post(t, "ann", key, tc[0], tc[1])
		if p := problem(t, rec); rec.Code != http.StatusUnprocessableEntity || p.Code != idempotency.CodeMismatch {
			t.Errorf("%s %s: %d %+v", tc[0], tc[1], rec.Code, p)
		}
	}
	// Another caller's key of the same name is another key.
	if rec := r.post(t, "bob", key, "/things/1", `{"n": 2}`); rec.Code != http.StatusCreated {
		t.Errorf("other caller: %d %s", rec.Code, rec.Body)
	}
	// Without a key every request runs.
	r.post(t, "ann", "", "/things/1", `{"n": 1}`)
	r.post(t, "ann", "", "/things/1", `{"n": 1}`)
	if got := r.runs.Load(); got != 4 {
		t.Errorf("handler ran %d times, want 4 (first, bob, two without key)", got)
	}
	// A key that is not printable ASCII, or too long, is refused before anything runs.
	for _, bad := range []string{strings.Repeat("k", 201), "two words"} {
		rec := r.post(t, "ann", bad, "/things/1", `{"n": 1}`)
		if p := problem(t, rec); rec.Code != http.StatusBadRequest || len(p.Errors) != 1 || p.Errors[0].Field != HeaderIdempotencyKey {
			t.Errorf("key %q: %d %+v", bad, rec.Code, p)
		}
	}
}

func TestIdempotencyConcurrentRequestsRunOnce(t *testing.T) {
	t.Parallel()
	r := newKeysRig(t)
	r.hold = make(chan struct{})
	key := uuid.NewString()
	const n = 8
	codes := make([]int, n)
	var wg sync.WaitGroup
	wg.Go(func() { codes[0] = r.post(t, "ann", key, "/things/1", `{"n": 1}`).Code })
	<-r.started // the first request holds the key and is inside the handler
	for i := 1; i < n; i++ {
		wg.Go(func() {
			rec := r.post(t, "ann", key, "/things/1", `{"n": 1}`)
			codes[i] = rec.Code
			if rec.Code == http.StatusConflict {
				if p := problem(t, rec); p.Code != idempotency.CodeInFlight || rec.Header().Get("Retry-After") != "1" {
					t.Errorf("in flight: %+v %v", p, rec.Header())
				}
			}
		})
	}
	time.Sleep(200 * time.Millisecond) // let the others arrive while the first is held
	close(r.hold)
	wg.Wait()
	created, inFlight := 0, 0
	for _, c := range codes {
		switch c {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
			inFlight++
		}
	}
	if r.runs.Load() != 1 || codes[0] != http.StatusCreated || created+inFlight != n {
		t.Fatalf("runs %d, codes %v: want one run, the rest 409 (or a replayed 201 if late)", r.runs.Load(), codes)
	}
	if rec := r.post(t, "ann", key, "/things/1", `{"n": 1}`); rec.Code != http.StatusCreated || r.runs.Load() != 1 {
		t.Fatalf("after the first finished: %d, runs %d", rec.Code, r.runs.Load())
	}
}

func TestIdempotencyFailuresReleaseAndKeysExpire(t *testing.T) {
	t.Parallel()
	r := newKeysRig(t)
	key := uuid.NewString()
	// An error answer and a panic release the key: the corrected request runs.
	if rec := r.post(t, "ann", key, "/things/1", `{"fail": "conflict"}`); rec.Code != http.StatusConflict {
		t.Fatalf("conflict: %d %s", rec.Code, rec.Body)
	}
	if rec := r.post(t, "ann", key, "/things/1", `{"fail": "panic"}`); rec.Code != http.StatusInternalServerError {
		t.Fatalf("panic: %d %s", rec.Code, rec.Body)
	}
	if rec := r.post(t, "ann", key, "/things/1", `{"n": 3}`); rec.Code != http.StatusCreated || rec.Header().Get(HeaderIdempotentReplayed) != "" {
		t.Fatalf("after failures: %d %v", rec.Code, rec.Header())
	}
	// A body that is not JSON never ran the handler: nothing is kept either.
	if rec := r.post(t, "ann", key+"-x", "/things/1", `{"n": 1, "n": 2}`); rec.Code != http.StatusBadRequest {
		t.Fatalf("duplicate key body: %d", rec.Code)
	}
	if rec := r.post(t, "ann", key+"-x", "/things/1", `{"n": 1}`); rec.Code != http.StatusCreated {
		t.Fatalf("corrected body: %d", rec.Code)
	}
	// 24 hours later the key is new: another body runs instead of a 422.
	r.now.Add(int64(idempotency.TTL))
	if rec := r.post(t, "ann", key, "/things/1", `{"n": 4}`); rec.Code != http.StatusCreated || rec.Header().Get(HeaderIdempotentReplayed) != "" {
		t.Fatalf("after expiry: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	if got := r.runs.Load(); got != 5 {
		t.Errorf("handler ran %d times, want 5", got)
	}
}
