package postgres

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Config configures the connection pool. The zero value of every field but URL means "use the
// default" (see WithDefaults).
type Config struct {
	URL             string        // required, postgres:// or postgresql:// URL; may carry a password
	MaxConns        int32         // default 10
	MinConns        int32         // default 0
	ConnectTimeout  time.Duration // default 5s; bounds each new connection and the start-up ping
	ApplicationName string        // default "oslira"; shows in pg_stat_activity
}

// Defaults applied by WithDefaults.
const (
	DefaultMaxConns        int32 = 10
	DefaultConnectTimeout        = 5 * time.Second
	DefaultApplicationName       = "oslira"
)

// WithDefaults returns c with zero fields replaced by their defaults.
func (c Config) WithDefaults() Config {
	if c.MaxConns == 0 {
		c.MaxConns = DefaultMaxConns
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.ApplicationName == "" {
		c.ApplicationName = DefaultApplicationName
	}
	return c
}

// Validate reports every invalid field of c (after defaults), each named by its field. The
// messages never quote the URL: it may carry a password.
func (c Config) Validate() error {
	c = c.WithDefaults()
	var errs []error
	bad := func(field, msg string) { errs = append(errs, fmt.Errorf("postgres config: %s: %s", field, msg)) }

	switch u, err := url.Parse(c.URL); {
	case c.URL == "":
		bad("URL", "is required (postgres://user@host:5432/db)")
	case err != nil: // url.Parse errors quote the input, so they are not passed on
		bad("URL", "is not a valid URL")
	case u.Scheme != "postgres" && u.Scheme != "postgresql":
		bad("URL", "must start with postgres:// or postgresql://")
	case u.Host == "" && u.Query().Get("host") == "":
		bad("URL", "names no host")
	}
	if c.MaxConns < 1 {
		bad("MaxConns", "must be at least 1")
	}
	if c.MinConns < 0 {
		bad("MinConns", "must not be negative")
	}
	if c.MinConns > c.MaxConns {
		bad("MinConns", "must not exceed MaxConns")
	}
	if c.ConnectTimeout < 0 {
		bad("ConnectTimeout", "must not be negative")
	}
	return errors.Join(errs...)
}
