package secrets_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/oslira/oslira/adapters/secrets"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/secret"
)

func TestEnvProvider(t *testing.T) {
	t.Parallel()
	env := map[string]string{"OPENAI_API_KEY": canary, "BLANK": ""}
	var asked []string
	p := secrets.NewEnv(func(name string) (string, bool) {
		asked = append(asked, name)
		v, ok := env[name]
		return v, ok
	})

	if got := mustGet(t, p, "OPENAI_API_KEY"); got != canary {
		t.Errorf("Get = %q", got)
	}
	if asked[0] != "OPENAI_API_KEY" {
		t.Errorf("looked up %q, want the bare NAME (no Oslira/<env>/ prefix)", asked[0])
	}
	for _, name := range []string{"UNSET", "BLANK"} {
		_, err := p.Get(t.Context(), name)
		if !errors.Is(err, secret.ErrNotFound) || !strings.Contains(err.Error(), name) {
			t.Errorf("Get(%s) = %v, want not found naming it", name, err)
		}
	}
	if _, err := p.Get(t.Context(), "A=B"); apperr.KindOf(err) != apperr.Internal {
		t.Errorf("Get(malformed) = %v, want Internal", err)
	}
	if at, err := p.LastFetch(); !at.IsZero() || err != nil {
		t.Errorf("LastFetch = %v, %v; want zero, nil", at, err)
	}
}

func TestEnvProviderNilLookupIsEmptyEnvironment(t *testing.T) {
	t.Parallel()
	_, err := secrets.NewEnv(nil).Get(t.Context(), "OPENAI_API_KEY")
	if !errors.Is(err, secret.ErrNotFound) {
		t.Errorf("Get = %v, want not found", err)
	}
}
