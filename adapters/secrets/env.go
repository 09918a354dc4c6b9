package secrets

import (
	"context"
	"time"

	"github.com/oslira/oslira/core/secret"
)

// EnvProvider reads the secret NAME from the environment variable NAME, through an injected lookup
// (bootstrap passes os.LookupEnv). It is meant for development and tests; it does not cache, so a
// changed variable is seen at once. An unset or empty variable is secret.ErrNotFound.
type EnvProvider struct {
	lookup func(string) (string, bool)
}

var _ secret.Provider = (*EnvProvider)(nil)

// NewEnv returns a provider over lookup. A nil lookup behaves as an empty environment.
func NewEnv(lookup func(string) (string, bool)) *EnvProvider {
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	return &EnvProvider{lookup: lookup}
}

// Get returns the variable's value, secret.ErrNotFound when it is unset or empty, or an Internal
// error for a malformed name. It never blocks, so ctx is not consulted.
func (p *EnvProvider) Get(_ context.Context, name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	v, ok := p.lookup(name)
	switch {
	case !ok:
		return "", notFound(name, "is not set in the environment", nil)
	case v == "":
		return "", notFound(name, "is empty in the environment", nil)
	}
	return v, nil
}

// LastFetch always reports "never failed": reading the environment cannot fail.
func (p *EnvProvider) LastFetch() (time.Time, error) { return time.Time{}, nil }
