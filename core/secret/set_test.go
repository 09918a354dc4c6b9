package secret_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/secretmock"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/secret"
)

// A distinctive value: if it ever shows up in an error or a String, a test fails on it.
const leakCanary = "sk-canary-5f0c1e"

type bundle struct {
	ctx      context.Context
	provider *secretmock.MockProvider
}

func setup(t *testing.T) bundle {
	t.Helper()
	ctrl := gomock.NewController(t)
	return bundle{ctx: t.Context(), provider: secretmock.NewMockProvider(ctrl)}
}

// has makes the mock answer name with value, exactly once.
func (b bundle) has(name, value string) {
	b.provider.EXPECT().Get(b.ctx, name).Return(value, nil)
}

// fails makes the mock answer name with err, exactly once.
func (b bundle) fails(name string, err error) {
	b.provider.EXPECT().Get(b.ctx, name).Return("", err)
}

func TestLoadAllPresent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.has("OPENAI_API_KEY", leakCanary)
	b.has("APIFY_TOKEN", "apify-1")
	b.has("SENTRY_DSN", "https://dsn")

	set, err := secret.Load(b.ctx, b.provider, []string{"OPENAI_API_KEY", "APIFY_TOKEN"}, []string{"SENTRY_DSN"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, ok := set.Value("OPENAI_API_KEY"); !ok || got != leakCanary {
		t.Errorf("Value(OPENAI_API_KEY) = %q, %v; want the canary, true", got, ok)
	}
	if got, ok := set.Value("SENTRY_DSN"); !ok || got != "https://dsn" {
		t.Errorf("Value(SENTRY_DSN) = %q, %v", got, ok)
	}
	if _, ok := set.Value("UNKNOWN"); ok {
		t.Error("Value(UNKNOWN) reported as loaded")
	}
	if got, want := strings.Join(set.Names(), ","), "APIFY_TOKEN,OPENAI_API_KEY,SENTRY_DSN"; got != want {
		t.Errorf("Names() = %s, want %s (sorted)", got, want)
	}
}

func TestLoadReportsEveryMissingRequiredNameAtOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fails("OPENAI_API_KEY", secret.ErrNotFound)
	b.has("APIFY_TOKEN", leakCanary)
	// A wrapped, re-messaged not-found still counts as missing.
	b.fails("STRIPE_SECRET_KEY", secret.ErrNotFound.WithMessage("secret STRIPE_SECRET_KEY is empty"))
	b.fails("SENTRY_DSN", secret.ErrNotFound) // optional

	_, err := secret.Load(b.ctx, b.provider,
		[]string{"OPENAI_API_KEY", "APIFY_TOKEN", "STRIPE_SECRET_KEY"}, []string{"SENTRY_DSN"})
	if err == nil {
		t.Fatal("Load succeeded with two required secrets missing")
	}
	if k := apperr.KindOf(err); k != apperr.Invalid {
		t.Errorf("kind = %v, want invalid", k)
	}
	if c := apperr.CodeOf(err); c != secret.CodeMissing {
		t.Errorf("code = %s, want %s", c, secret.CodeMissing)
	}
	msg := err.Error()
	for _, name := range []string{"OPENAI_API_KEY", "STRIPE_SECRET_KEY"} {
		if !strings.Contains(msg, name) {
			t.Errorf("error %q does not name missing %s", msg, name)
		}
	}
	if strings.Contains(msg, "SENTRY_DSN") {
		t.Errorf("error %q names an optional secret", msg)
	}
	if strings.Contains(msg, "APIFY_TOKEN") || strings.Contains(msg, leakCanary) {
		t.Errorf("error %q mentions a loaded secret or its value", msg)
	}
}

func TestLoadIgnoresMissingOptional(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.has("OPENAI_API_KEY", "k")
	b.fails("SENTRY_DSN", secret.ErrNotFound)

	set, err := secret.Load(b.ctx, b.provider, []string{"OPENAI_API_KEY"}, []string{"SENTRY_DSN"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if _, ok := set.Value("SENTRY_DSN"); ok {
		t.Error("missing optional secret reported as loaded")
	}
	if got := strings.Join(set.Names(), ","); got != "OPENAI_API_KEY" {
		t.Errorf("Names() = %s", got)
	}
}

func TestLoadUnavailableWinsOverMissing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	first := secret.ErrUnavailable.WithCause(errors.New("throttled"))
	// Any error of kind Unavailable counts, whatever its code.
	second := apperr.New(apperr.Unavailable, "other.code", "timeout")
	b.fails("OPENAI_API_KEY", secret.ErrNotFound)
	b.fails("APIFY_TOKEN", first)
	b.fails("STRIPE_SECRET_KEY", second)
	b.fails("SENTRY_DSN", secret.ErrNotFound)

	_, err := secret.Load(b.ctx, b.provider,
		[]string{"OPENAI_API_KEY", "APIFY_TOKEN", "STRIPE_SECRET_KEY"}, []string{"SENTRY_DSN"})
	if err != first { //nolint:errorlint // the store's own error must come back as is
		t.Fatalf("Load error = %v, want the first unavailable error %v", err, first)
	}
	if !errors.Is(err, secret.ErrUnavailable) {
		t.Error("errors.Is(err, ErrUnavailable) = false")
	}
}

func TestLoadReturnsUnexpectedErrorAsIs(t *testing.T) {
	t.Parallel()
	boom := errors.New("access denied")
	for _, tc := range []struct {
		name               string
		required, optional []string
		failing            string
	}{
		{name: "required", required: []string{"A", "B"}, optional: []string{"C"}, failing: "A"},
		{name: "optional", required: []string{"A"}, optional: []string{"B", "C"}, failing: "B"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			// Names before the failing one are asked; nothing after it is (strict mock).
			for _, n := range append(append([]string{}, tc.required...), tc.optional...) {
				if n == tc.failing {
					b.fails(n, boom)
					break
				}
				b.has(n, "v")
			}
			set, err := secret.Load(b.ctx, b.provider, tc.required, tc.optional)
			if err != boom { //nolint:errorlint // returned as is, not wrapped
				t.Fatalf("Load error = %v, want %v unchanged", err, boom)
			}
			if len(set.Names()) != 0 {
				t.Errorf("Load returned a partial set %v with its error", set)
			}
		})
	}
}

func TestSetStringNeverPrintsValues(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.has("OPENAI_API_KEY", leakCanary)
	b.has("APIFY_TOKEN", leakCanary+"-2")

	set, err := secret.Load(b.ctx, b.provider, []string{"OPENAI_API_KEY", "APIFY_TOKEN"}, nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	got := set.String()
	if want := "secret.Set[APIFY_TOKEN,OPENAI_API_KEY]"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	// %v, %+v and %s go through String. (%#v does not: Set has no GoString; see the report.)
	for _, s := range []string{got, fmt.Sprintf("%v %+v %s", set, set, set), fmt.Sprint(&set)} {
		if strings.Contains(s, leakCanary) {
			t.Errorf("rendering %q contains a secret value", s)
		}
	}
	if got := (secret.Set{}).String(); got != "secret.Set[]" {
		t.Errorf("zero Set String() = %q", got)
	}
}

func TestSetGoStringHidesValues(t *testing.T) {
	t.Parallel()
	ctrl := gomock.NewController(t)
	p := secretmock.NewMockProvider(ctrl)
	p.EXPECT().Get(gomock.Any(), "K").Return("hunter2-value", nil)
	set, err := secret.Load(context.Background(), p, []string{"K"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%#v", set); strings.Contains(got, "hunter2-value") {
		t.Fatalf("%%#v leaked the value: %s", got)
	}
}

// TestLoadWithOnlyOptionalNames: a deployment may require nothing and list only optional
// secrets; what exists is loaded, what is missing is skipped, and nothing fails.
func TestLoadWithOnlyOptionalNames(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.has("SENTRY_DSN", "dsn")
	b.fails("APIFY_API_TOKEN", secret.ErrNotFound)

	set, err := secret.Load(b.ctx, b.provider, nil, []string{"SENTRY_DSN", "APIFY_API_TOKEN"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if v, ok := set.Value("SENTRY_DSN"); !ok || v != "dsn" || strings.Join(set.Names(), ",") != "SENTRY_DSN" {
		t.Errorf("set = %v, SENTRY_DSN = %q, %v", set.Names(), v, ok)
	}
}
