package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/core/observe"
)

// fakeChecker is an observe.HealthChecker with a fixed outcome.
type fakeChecker struct {
	name     string
	critical bool
	err      error
	block    bool // ignore ctx and never return (until the test ends)
	release  chan struct{}
}

func (f *fakeChecker) Name() string   { return f.name }
func (f *fakeChecker) Critical() bool { return f.critical }
func (f *fakeChecker) Check(ctx context.Context) error {
	if f.block {
		<-f.release
	}
	return f.err
}

func decodeReport(t *testing.T, body []byte) HealthReport {
	t.Helper()
	var r HealthReport
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("decode health report: %v; %s", err, body)
	}
	return r
}

func TestHealth(t *testing.T) {
	t.Parallel()
	db := func(err error) *fakeChecker { return &fakeChecker{name: "database", critical: true, err: err} }
	sec := func(err error) *fakeChecker { return &fakeChecker{name: "secrets", critical: false, err: err} }
	down := errors.New("connection refused")

	cases := []struct {
		name        string
		db, secrets error
		wantFull    int
		wantStatus  string
		wantReady   int
	}{
		{"all ok", nil, nil, 200, StatusOK, 200},
		{"critical down", down, nil, 503, StatusDown, 503},
		{"non-critical down", nil, down, 200, StatusDegraded, 200},
		{"both down", down, down, 503, StatusDown, 503},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, db(tc.db), sec(tc.secrets))

			rec := b.do(t, http.MethodGet, "/health", nil, nil)
			if rec.Code != tc.wantFull {
				t.Errorf("/health status = %d, want %d", rec.Code, tc.wantFull)
			}
			r := decodeReport(t, rec.Body.Bytes())
			if r.Status != tc.wantStatus || r.Version != "test-1" || len(r.Checks) != 2 {
				t.Fatalf("report = %+v", r)
			}
			if r.Checks[0].Name != "database" || !r.Checks[0].Critical || r.Checks[1].Critical {
				t.Errorf("checks = %+v", r.Checks)
			}
			for _, c := range r.Checks {
				wantDown := (c.Name == "database" && tc.db != nil) || (c.Name == "secrets" && tc.secrets != nil)
				if wantDown != (c.Status == StatusDown) || wantDown != (c.Error != "") || c.LatencyMS < 0 {
					t.Errorf("check %+v", c)
				}
			}

			ready := b.do(t, http.MethodGet, "/health/ready", nil, nil)
			if ready.Code != tc.wantReady {
				t.Errorf("/health/ready status = %d, want %d", ready.Code, tc.wantReady)
			}
			if rr := decodeReport(t, ready.Body.Bytes()); len(rr.Checks) != 1 || rr.Checks[0].Name != "database" {
				t.Errorf("ready ran non-critical checks: %+v", rr.Checks)
			}

			if live := b.do(t, http.MethodGet, "/health/live", nil, nil); live.Code != 200 {
				t.Errorf("/health/live status = %d, want 200 regardless of dependencies", live.Code)
			}
		})
	}
}

func TestHealthWithoutCheckers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rec := b.do(t, http.MethodGet, "/health", nil, nil)
	r := decodeReport(t, rec.Body.Bytes())
	if rec.Code != 200 || r.Status != StatusOK || r.Checks == nil {
		t.Errorf("status %d report %+v (checks must be [] not null)", rec.Code, r)
	}
}

func TestHealthCapsErrorText(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 500)
	h := NewHealth(nil, "v")
	r := h.run(context.Background(), []observe.HealthChecker{&fakeChecker{name: "x", err: errors.New(long)}})
	if got := r.Checks[0].Error; len(got) > maxCheckErrorLen || !strings.HasSuffix(got, "…") || !strings.HasPrefix(got, "é") {
		t.Errorf("error text not capped cleanly: %d bytes %q", len(got), got)
	}
}

func TestHealthCheckTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	h := NewHealth(nil, "v")
	h.timeout = 50 * time.Millisecond
	stuck := &fakeChecker{name: "stuck", critical: true, block: true, release: release}
	r := h.run(context.Background(), []observe.HealthChecker{stuck})
	if r.Status != StatusDown || !strings.Contains(r.Checks[0].Error, "timed out") {
		t.Errorf("report = %+v", r)
	}
}

// TestHealthReportsNotConfigured: a dependency this deployment does not use (a JWKS with HS256
// only, the secret store with env secrets, Stripe without keys) is "not_configured", not "ok",
// and degrades nothing.
func TestHealthReportsNotConfigured(t *testing.T) {
	t.Parallel()
	b := setup(t,
		&fakeChecker{name: "database", critical: true},
		&fakeChecker{name: "jwks", err: observe.ErrNotConfigured},
		&fakeChecker{name: "secrets", err: fmt.Errorf("env provider: %w", observe.ErrNotConfigured)},
	)
	rec := b.do(t, http.MethodGet, "/health", nil, nil)
	r := decodeReport(t, rec.Body.Bytes())
	if rec.Code != http.StatusOK || r.Status != StatusOK || len(r.Checks) != 3 {
		t.Fatalf("status %d report %+v", rec.Code, r)
	}
	want := map[string]string{"database": StatusOK, "jwks": StatusNotConfigured, "secrets": StatusNotConfigured}
	for _, c := range r.Checks {
		if c.Status != want[c.Name] || c.Error != "" {
			t.Errorf("check %+v, want status %q and no error", c, want[c.Name])
		}
	}
}
