package httpapi

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// Config is everything the HTTP host needs. Bootstrap builds it from the environment.
type Config struct {
	// Addr is the TCP address to listen on, for example ":8080" or "127.0.0.1:0".
	Addr string
	// ShutdownTimeout bounds how long Stop waits for in-flight requests before closing connections.
	ShutdownTimeout time.Duration
	// CORSAllowedOrigins lists the exact origins ("https://app.oslira.com") allowed to call the API
	// from a browser. Wildcards are not accepted: responses may carry credentials.
	CORSAllowedOrigins []string
	// Version is reported by /health.
	Version string
}

// Defaults used by WithDefaults.
const (
	DefaultAddr            = ":8080"
	DefaultShutdownTimeout = 15 * time.Second
)

// WithDefaults returns a copy of c with empty fields set to their defaults.
func (c Config) WithDefaults() Config {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = DefaultShutdownTimeout
	}
	if c.Version == "" {
		c.Version = "dev"
	}
	return c
}

// Validate reports every problem with c in one error.
func (c Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("addr %q: want host:port", c.Addr))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, errors.New("shutdown timeout must be positive"))
	}
	for _, o := range c.CORSAllowedOrigins {
		if err := ValidateOrigin(o); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ValidateOrigin checks that o is a browser origin: scheme "http" or "https", a host, an optional
// port, and nothing else (no path, query, user info or wildcard).
func ValidateOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" ||
		strings.Contains(u.Host, "*") {
		return fmt.Errorf("origin %q: want scheme://host[:port], no wildcard", o)
	}
	return nil
}

// normalizeOrigin lower-cases an origin and drops a trailing slash, as browsers send it.
func normalizeOrigin(o string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(o)), "/")
}
