package jwt

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"
)

// Defaults applied to zero Config fields.
const (
	DefaultAudience        = "authenticated"
	DefaultLeeway          = 30 * time.Second
	DefaultRefreshFloor    = 5 * time.Minute
	DefaultRefreshInterval = 10 * time.Minute
	DefaultFetchTimeout    = 5 * time.Second
)

// Limits checked by Validate.
const (
	// MaxLeeway is the largest clock skew tolerated on exp and nbf (issue 3: ≤ 30 s).
	MaxLeeway = 30 * time.Second
	// MinSecretBytes is the shortest HS256 secret accepted. Supabase itself requires 32 characters;
	// shorter HMAC secrets are open to offline brute force from a single captured token.
	MinSecretBytes = 32
)

// Config says which keys sign acceptable tokens and how claims are checked. Bootstrap fills it
// from the environment; the secret comes from the secret provider.
type Config struct {
	// HS256Secret is the Supabase legacy JWT secret, used as raw bytes (not base64-decoded), as
	// Supabase Auth does. Empty disables HS256 entirely.
	HS256Secret string
	// JWKSURL is the project's key set: <SUPABASE_URL>/auth/v1/.well-known/jwks.json on the
	// hosted platform, <auth URL>/.well-known/jwks.json for a self-hosted Supabase Auth without
	// the gateway (bootstrap: SUPABASE_JWKS_URL). Empty disables ES256 and RS256.
	// It must be https, or http on a loopback host (local Supabase, tests): the key set decides
	// who may sign in, so it must not travel over a network in clear.
	JWKSURL string
	// Issuer, when non-empty, must equal the token's iss exactly
	// (https://<project-ref>.supabase.co/auth/v1).
	Issuer string
	// Audience must be one of the token's aud values. Default "authenticated".
	Audience string
	// Leeway is the clock skew allowed on exp and nbf. Zero means DefaultLeeway (30 s); it must be
	// within 0..30 s.
	Leeway time.Duration
	// RefreshFloor is the minimum time between JWKS fetches triggered by tokens with an unknown
	// kid. Default 5 min, matching the throttle Supabase applies to key state changes.
	RefreshFloor time.Duration
	// RefreshInterval is the period of the background JWKS refresh. Default 10 min, the edge
	// cache lifetime of Supabase's JWKS.
	RefreshInterval time.Duration
	// FetchTimeout bounds each JWKS fetch, including the one New makes at start-up, and the
	// time a Verify call may wait for the refresh floor to pass. Default 5 s.
	FetchTimeout time.Duration
}

// WithDefaults returns c with every zero field replaced by its default.
func (c Config) WithDefaults() Config {
	if c.Audience == "" {
		c.Audience = DefaultAudience
	}
	if c.Leeway == 0 {
		c.Leeway = DefaultLeeway
	}
	if c.RefreshFloor == 0 {
		c.RefreshFloor = DefaultRefreshFloor
	}
	if c.RefreshInterval == 0 {
		c.RefreshInterval = DefaultRefreshInterval
	}
	if c.FetchTimeout == 0 {
		c.FetchTimeout = DefaultFetchTimeout
	}
	return c
}

// Validate reports every problem at once, each naming its field. Error texts never contain the
// secret.
func (c Config) Validate() error {
	var errs []error
	if c.HS256Secret == "" && c.JWKSURL == "" {
		errs = append(errs, errors.New("at least one of HS256Secret and JWKSURL is required"))
	}
	if c.HS256Secret != "" && len(c.HS256Secret) < MinSecretBytes {
		errs = append(errs, fmt.Errorf("HS256Secret must be at least %d bytes, got %d", MinSecretBytes, len(c.HS256Secret)))
	}
	if c.JWKSURL != "" {
		if err := checkJWKSURL(c.JWKSURL); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Leeway < 0 || c.Leeway > MaxLeeway {
		errs = append(errs, fmt.Errorf("leeway must be within 0..%s, got %s", MaxLeeway, c.Leeway))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"refresh floor", c.RefreshFloor},
		{"refresh interval", c.RefreshInterval},
		{"fetch timeout", c.FetchTimeout},
	} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("%s must not be negative, got %s", d.name, d.v))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("jwt config: %w", errors.Join(errs...))
	}
	return nil
}

func checkJWKSURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("JWKS URL must be an absolute http(s) URL, got %q", raw)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Errorf("JWKS URL must use https unless the host is loopback, got %q", raw)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
