package secrets_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/secrets"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/observe"
	"github.com/oslira/oslira/core/secret"
)

type lastFetch struct {
	at  time.Time
	err error
}

func (l lastFetch) LastFetch() (time.Time, error) { return l.at, l.err }

// apiCode mimics smithy.APIError's ErrorCode method.
type apiCode string

func (c apiCode) Error() string     { return "api error " + string(c) }
func (c apiCode) ErrorCode() string { return string(c) }

func TestHealthCheck(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		last lastFetch
		want []string // substrings of the error; none means healthy
	}{
		{name: "never fetched", last: lastFetch{}},
		{name: "last fetch ok", last: lastFetch{at: at}},
		{name: "not found is an answer", last: lastFetch{at: at, err: secret.ErrNotFound.WithMessage("secret X not found")}},
		{
			name: "unavailable",
			last: lastFetch{at: at, err: secret.ErrUnavailable.WithMessage("secret OPENAI_API_KEY").WithCause(apiCode("ThrottlingException"))},
			want: []string{"2026-12-01T12:00:00Z", secret.CodeUnavailable, "ThrottlingException"},
		},
		{
			name: "internal without aws code",
			last: lastFetch{at: at, err: apperr.Wrap(errors.New("boom "+canary), apperr.Internal, apperr.CodeInternal, "x")},
			want: []string{apperr.CodeInternal},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := secrets.NewHealthCheck(tc.last)
			if h.Name() != "secrets" || h.Critical() {
				t.Errorf("Name, Critical = %q, %v; want secrets, false", h.Name(), h.Critical())
			}
			err := h.Check(context.Background())
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Check passed")
			}
			assertNoLeak(t, err)
			if strings.Contains(err.Error(), "OPENAI_API_KEY") {
				t.Errorf("health error %q names a secret", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestHealthCheckEnvProviderIsNotConfigured: with secrets in the environment there is no store to
// check, and /health says so instead of "ok".
func TestHealthCheckEnvProviderIsNotConfigured(t *testing.T) {
	t.Parallel()
	h := secrets.NewHealthCheck(secrets.NewEnv(func(string) (string, bool) { return "", false }))
	if err := h.Check(context.Background()); !errors.Is(err, observe.ErrNotConfigured) {
		t.Fatalf("env provider Check: %v, want observe.ErrNotConfigured", err)
	}
}
