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
	// TrustedProxies lists the proxies (IP addresses or CIDR ranges, like 10.0.0.0/8) whose
	// client-address headers are believed. Empty trusts none: the client IP is the socket's
	// peer, and X-Forwarded-For is ignored (anyone can send it). The client IP keys the rate
	// limits of requests without a token (the anonymous analysis: one per IP per day).
	TrustedProxies []string
	// ClientIPHeader is the one header carrying the client address when the peer is a trusted
	// proxy (CF-Connecting-IP behind Cloudflare, X-Real-IP behind nginx). Empty: X-Forwarded-For
	// (its rightmost address that is not a trusted proxy), then X-Real-IP. Never read from an
	// untrusted peer.
	ClientIPHeader string
	// RateLimitsOff turns the rate limits off (development and test only: the load benchmark).
	RateLimitsOff bool
	// MetricsAddr, when set, is the listen address of the Prometheus endpoint (bootstrap serves
	// it there), and the API does not serve /metrics. Empty: /metrics is a public API route.
	MetricsAddr string
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
	for _, p := range c.TrustedProxies {
		if err := ValidateProxy(p); err != nil {
			errs = append(errs, err)
		}
	}
	if a := c.MetricsAddr; a != "" {
		if _, _, err := net.SplitHostPort(a); err != nil {
			errs = append(errs, fmt.Errorf("metrics addr %q: want host:port", a))
		}
	}
	if h := c.ClientIPHeader; h != "" && !ValidHeaderName(h) {
		errs = append(errs, fmt.Errorf("client IP header %q: want a header name like CF-Connecting-IP", h))
	}
	return errors.Join(errs...)
}

// ValidateProxy checks that p is an IP address or a CIDR range.
func ValidateProxy(p string) error {
	if net.ParseIP(p) != nil {
		return nil
	}
	if _, _, err := net.ParseCIDR(p); err == nil {
		return nil
	}
	return fmt.Errorf("trusted proxy %q: want an IP address or a CIDR range like 10.0.0.0/8", p)
}

// ValidHeaderName accepts an HTTP header name: 1–64 letters, digits and hyphens.
func ValidHeaderName(h string) bool {
	if len(h) > 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		b := h[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-') {
			return false
		}
	}
	return h != ""
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
