package secrets_test

import (
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/secrets"
)

// After expiry, a refresh that fails because the store is unavailable serves the last good value
// (and says so in LastFetch); one where the store answers with an error returns that error.
func TestAWSRefreshFailure(t *testing.T) {
	t.Parallel()
	t.Run("unavailable serves stale value and retries later", func(t *testing.T) {
		t.Parallel()
		b := setupAWS(t)
		hc := secrets.NewHealthCheck(b.prov)
		b.fake.put(id("A"), canary)
		mustGet(t, b.prov, "A")

		b.clock.Advance(ttl)
		b.fake.failAlways(id("A"), errThrottling)
		if got := mustGet(t, b.prov, "A"); got != canary {
			t.Errorf("Get during outage = %q, want the stale value", got)
		}
		if n := b.fake.callsFor(id("A")); n != 1+3 {
			t.Errorf("calls = %d, want 4 (one fill, one refresh with three attempts)", n)
		}
		herr := hc.Check(t.Context())
		if herr == nil {
			t.Fatal("health check passes although the last refresh failed")
		}
		assertNoLeak(t, herr)
		if !strings.Contains(herr.Error(), "ThrottlingException") || strings.Contains(herr.Error(), "Oslira/") {
			t.Errorf("health error %q: want the AWS code, no secret path", herr)
		}

		// Within the 30 s retry pause: served from cache, no call.
		b.clock.Advance(30*time.Second - time.Nanosecond)
		mustGet(t, b.prov, "A")
		if n := b.fake.callsFor(id("A")); n != 4 {
			t.Errorf("calls during retry pause = %d, want 4", n)
		}

		// After the pause, with the store back: a fresh value and a healthy check.
		b.fake.heal(id("A"))
		b.fake.put(id("A"), "rotated")
		b.clock.Advance(time.Nanosecond)
		if got := mustGet(t, b.prov, "A"); got != "rotated" {
			t.Errorf("Get after recovery = %q", got)
		}
		if err := hc.Check(t.Context()); err != nil {
			t.Errorf("health after recovery: %v", err)
		}
	})
	t.Run("answered error drops the cached value", func(t *testing.T) {
		t.Parallel()
		for _, e := range []awsErr{errNotFound, errAccessDenied} {
			b := setupAWS(t)
			b.fake.put(id("A"), canary)
			mustGet(t, b.prov, "A")
			b.clock.Advance(ttl)
			b.fake.failAlways(id("A"), e)
			_, err := b.prov.Get(t.Context(), "A")
			if err == nil || !strings.Contains(err.Error(), e.code) {
				t.Errorf("%s: Get after expiry = %v, want the error", e.code, err)
			}
			assertNoLeak(t, err)
			b.fake.heal(id("A"))
			b.fake.put(id("A"), "back")
			if got := mustGet(t, b.prov, "A"); got != "back" {
				t.Errorf("%s: Get after the store heals = %q, want a fresh fetch", e.code, got)
			}
		}
	})
}
