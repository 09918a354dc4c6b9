package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/secrets"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/secret"
)

// canary is a distinctive secret value; no error or health output may ever contain it.
const canary = "sk-live-CANARY-7d1e93"

const ttl = 5 * time.Minute

type awsBundle struct {
	fake  *fakeSM
	clock *clock
	prov  *secrets.AWSProvider
}

func setupAWS(t *testing.T) awsBundle {
	t.Helper()
	fake := newFakeSM(t)
	clk := newClock()
	prov := secrets.NewAWSWithClient(newClient(fake.srv.URL), secrets.Config{Source: "aws", Env: "test"}, clk.Now)
	return awsBundle{fake: fake, clock: clk, prov: prov}
}

// id is the Secrets Manager name of NAME in the test environment.
func id(name string) string { return "Oslira/test/" + name }

// assertNoLeak fails when err (in any rendering) contains the canary.
func assertNoLeak(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		if strings.Contains(s, canary) {
			t.Errorf("error leaks the secret value: %s", s)
		}
	}
}

func mustGet(t *testing.T, p secret.Provider, name string) string {
	t.Helper()
	v, err := p.Get(t.Context(), name)
	if err != nil {
		t.Fatalf("Get(%s): %v", name, err)
	}
	return v
}

func TestAWSGetDecodesValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, stored, want string }{
		{"plain", canary, canary},
		{"json apiKey", `{"apiKey":"` + canary + `","rotatedBy":"ops"}`, canary},
		{"json apiKey with spaces", "  {\n \"apiKey\" : \"" + canary + "\" }\n", canary},
		{"plain starting with a brace", "{not-json " + canary, "{not-json " + canary},
		{"plain JSON array", `["a"]`, `["a"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setupAWS(t)
			b.fake.put(id("OPENAI_API_KEY"), tc.stored)
			if got := mustGet(t, b.prov, "OPENAI_API_KEY"); got != tc.want {
				t.Errorf("Get = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAWSRequestIsSignedSigV4(t *testing.T) {
	t.Parallel()
	b := setupAWS(t)
	b.fake.put(id("APIFY_TOKEN"), "v")
	mustGet(t, b.prov, "APIFY_TOKEN")
	auth := b.fake.authHeaders()
	if len(auth) != 1 {
		t.Fatalf("fake saw %d requests, want 1", len(auth))
	}
	for _, want := range []string{"AWS4-HMAC-SHA256 ", "Credential=AKIDTEST/", "/us-east-1/secretsmanager/aws4_request"} {
		if !strings.Contains(auth[0], want) {
			t.Errorf("Authorization %q lacks %q", auth[0], want)
		}
	}
	if !strings.HasPrefix(auth[0], "AWS4-HMAC-SHA256") {
		t.Errorf("Authorization %q does not start with AWS4-HMAC-SHA256", auth[0])
	}
}

func TestAWSCachesPerNameForTTL(t *testing.T) {
	t.Parallel()
	b := setupAWS(t)
	b.fake.put(id("A"), "a1")
	b.fake.put(id("B"), "b1")

	mustGet(t, b.prov, "A")
	if got := mustGet(t, b.prov, "A"); got != "a1" {
		t.Errorf("cached Get = %q", got)
	}
	if n := b.fake.callsFor(id("A")); n != 1 {
		t.Errorf("calls for A after a cache hit = %d, want 1", n)
	}
	mustGet(t, b.prov, "B")
	if n := b.fake.callsFor(id("B")); n != 1 {
		t.Errorf("calls for B = %d, want 1 (cache is per name)", n)
	}

	// Rotation: the new value is seen once the TTL has passed, not before.
	b.fake.put(id("A"), "a2")
	b.clock.Advance(ttl - time.Nanosecond)
	if got := mustGet(t, b.prov, "A"); got != "a1" {
		t.Errorf("Get just before expiry = %q, want cached a1", got)
	}
	if n := b.fake.callsFor(id("A")); n != 1 {
		t.Errorf("calls before expiry = %d, want 1", n)
	}
	b.clock.Advance(time.Nanosecond)
	if got := mustGet(t, b.prov, "A"); got != "a2" {
		t.Errorf("Get at expiry = %q, want refreshed a2", got)
	}
	if got := mustGet(t, b.prov, "A"); got != "a2" {
		t.Errorf("Get after refresh = %q", got)
	}
	if n := b.fake.callsFor(id("A")); n != 2 {
		t.Errorf("calls after expiry = %d, want 2", n)
	}
}

func TestAWSConcurrentColdGetsMakeOneCall(t *testing.T) {
	t.Parallel()
	b := setupAWS(t)
	b.fake.put(id("OPENAI_API_KEY"), canary)
	release := b.fake.holdRequests()
	defer release()

	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			v, err := b.prov.Get(context.Background(), "OPENAI_API_KEY")
			if err == nil && v != canary {
				err = fmt.Errorf("got %q", v)
			}
			errs <- err
		})
	}
	<-b.fake.arrived // the first (and only) call is in flight; the rest join it or hit the cache
	release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := b.fake.callsFor(id("OPENAI_API_KEY")); got != 1 {
		t.Errorf("%d concurrent cold Gets made %d calls, want 1", n, got)
	}
}

func TestAWSCallerCancelDoesNotAbortSharedFetch(t *testing.T) {
	t.Parallel()
	b := setupAWS(t)
	b.fake.put(id("A"), "a1")
	release := b.fake.holdRequests()
	defer release()

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := b.prov.Get(ctx, "A")
		done <- err
	}()
	<-b.fake.arrived
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) || apperr.KindOf(err) != apperr.Unavailable {
		t.Fatalf("cancelled Get = %v, want Unavailable wrapping context.Canceled", err)
	}
	release()
	// The shared fetch carried on and fills the cache; this Get joins it or hits the cache.
	if got := mustGet(t, b.prov, "A"); got != "a1" {
		t.Errorf("Get = %q", got)
	}
	if n := b.fake.callsFor(id("A")); n != 1 {
		t.Errorf("calls = %d, want 1", n)
	}
}

func TestAWSErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		arrange   func(f *fakeSM, id string)
		kind      apperr.Kind
		is        error  // sentinel the error must match, if any
		contains  string // in the error text
		wantCalls int
	}{
		{
			name:    "not found",
			arrange: func(*fakeSM, string) {},
			kind:    apperr.NotFound, is: secret.ErrNotFound, contains: "OPENAI_API_KEY", wantCalls: 1,
		},
		{
			name:    "empty value",
			arrange: func(f *fakeSM, id string) { f.put(id, "") },
			kind:    apperr.NotFound, is: secret.ErrNotFound, contains: "empty", wantCalls: 1,
		},
		{
			name:    "json apiKey empty",
			arrange: func(f *fakeSM, id string) { f.put(id, `{"apiKey":""}`) },
			kind:    apperr.NotFound, is: secret.ErrNotFound, contains: "empty", wantCalls: 1,
		},
		{
			name:    "persistent throttling",
			arrange: func(f *fakeSM, id string) { f.put(id, canary); f.failAlways(id, errThrottling) },
			kind:    apperr.Unavailable, is: secret.ErrUnavailable, contains: "OPENAI_API_KEY", wantCalls: 3,
		},
		{
			name:    "internal service error",
			arrange: func(f *fakeSM, id string) { f.put(id, canary); f.failAlways(id, errInternal) },
			kind:    apperr.Unavailable, is: secret.ErrUnavailable, wantCalls: 3,
		},
		{
			name:    "access denied",
			arrange: func(f *fakeSM, id string) { f.put(id, canary); f.failAlways(id, errAccessDenied) },
			kind:    apperr.Internal, contains: "AccessDeniedException", wantCalls: 1,
		},
		{
			name:    "decryption failure",
			arrange: func(f *fakeSM, id string) { f.put(id, canary); f.failAlways(id, errDecryption) },
			kind:    apperr.Internal, contains: "DecryptionFailure", wantCalls: 1,
		},
		{
			name:    "json object without apiKey",
			arrange: func(f *fakeSM, id string) { f.put(id, `{"key":"`+canary+`"}`) },
			kind:    apperr.Internal, contains: "OPENAI_API_KEY", wantCalls: 1,
		},
		{
			name:    "json apiKey not a string",
			arrange: func(f *fakeSM, id string) { f.put(id, `{"apiKey":{"v":"`+canary+`"}}`) },
			kind:    apperr.Internal, contains: "apiKey", wantCalls: 1,
		},
		{
			name:    "binary secret",
			arrange: func(f *fakeSM, id string) { f.putBinary(id) },
			kind:    apperr.Internal, contains: "binary", wantCalls: 1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setupAWS(t)
			tc.arrange(b.fake, id("OPENAI_API_KEY"))
			v, err := b.prov.Get(t.Context(), "OPENAI_API_KEY")
			if err == nil {
				t.Fatalf("Get = %q, want an error", v)
			}
			assertNoLeak(t, err)
			if v != "" {
				t.Errorf("Get returned value %q with its error", v)
			}
			if k := apperr.KindOf(err); k != tc.kind {
				t.Errorf("kind = %v, want %v (%v)", k, tc.kind, err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("error %q does not contain %q", err, tc.contains)
			}
			if n := b.fake.callsFor(id("OPENAI_API_KEY")); n != tc.wantCalls {
				t.Errorf("calls = %d, want %d", n, tc.wantCalls)
			}
			_, herr := b.prov.LastFetch()
			if !errors.Is(herr, err) {
				t.Errorf("LastFetch error = %v, want %v", herr, err)
			}
		})
	}
}

func TestAWSErrorsAreNotCached(t *testing.T) {
	t.Parallel()
	b := setupAWS(t)
	if _, err := b.prov.Get(t.Context(), "NEW_KEY"); !errors.Is(err, secret.ErrNotFound) {
		t.Fatalf("Get = %v, want not found", err)
	}
	b.fake.put(id("NEW_KEY"), "created")
	if got := mustGet(t, b.prov, "NEW_KEY"); got != "created" {
		t.Errorf("Get after creation = %q", got)
	}
}

func TestAWSThrottlingThenSuccess(t *testing.T) {
	t.Parallel()
	b := setupAWS(t)
	b.fake.put(id("OPENAI_API_KEY"), canary)
	b.fake.failNext(id("OPENAI_API_KEY"), errThrottling, 2)
	if got := mustGet(t, b.prov, "OPENAI_API_KEY"); got != canary {
		t.Errorf("Get = %q", got)
	}
	if n := b.fake.callsFor(id("OPENAI_API_KEY")); n != 3 {
		t.Errorf("calls = %d, want 3 (two throttled, SDK retried)", n)
	}
	if at, err := b.prov.LastFetch(); err != nil || !at.Equal(b.clock.Now()) {
		t.Errorf("LastFetch = %v, %v; want now, nil", at, err)
	}
}

func TestAWSNetworkFailureIsUnavailable(t *testing.T) {
	t.Parallel()
	fake := newFakeSM(t)
	url := fake.srv.URL
	fake.srv.Close() // nothing listens there any more
	prov := secrets.NewAWSWithClient(newClient(url), secrets.Config{Env: "test"}, nil)
	_, err := prov.Get(t.Context(), "A")
	if apperr.KindOf(err) != apperr.Unavailable || !errors.Is(err, secret.ErrUnavailable) {
		t.Fatalf("Get = %v, want Unavailable", err)
	}
}

func TestAWSRejectsMalformedNames(t *testing.T) {
	t.Parallel()
	b := setupAWS(t)
	for _, name := range []string{"", "../production/OPENAI_API_KEY", "A/B", "A B", "é", strings.Repeat("A", 129)} {
		_, err := b.prov.Get(t.Context(), name)
		if err == nil || apperr.KindOf(err) != apperr.Internal {
			t.Errorf("Get(%q) = %v, want an Internal error", name, err)
		}
	}
	if got := len(b.fake.authHeaders()); got != 0 {
		t.Errorf("malformed names made %d calls", got)
	}
	b.fake.put(id(strings.Repeat("A", 128)), "v")
	mustGet(t, b.prov, strings.Repeat("A", 128)) // the longest legal name passes the check
}
