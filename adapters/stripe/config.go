package stripe

import (
	"errors"
	"log/slog"
	"time"
)

// Defaults of Config.
const (
	DefaultAPIURL            = "https://api.stripe.com"
	DefaultTimeout           = 30 * time.Second
	DefaultMaxNetworkRetries = 2
)

// Config configures the API client.
type Config struct {
	// SecretKey is the API key (sk_live_…, sk_test_…, or a restricted rk_… key that may write
	// customers, checkout sessions and billing-portal sessions). Required. Never logged.
	SecretKey string
	// APIURL is the API base URL; "" means DefaultAPIURL. Tests point it at a fake.
	APIURL string
	// Timeout bounds each HTTP attempt; 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxNetworkRetries is how often stripe-go retries an attempt whose connection failed (see
	// the package documentation for what it does not retry); 0 means DefaultMaxNetworkRetries
	// and a negative value means none.
	MaxNetworkRetries int
}

// WithDefaults fills the zero fields.
func (c Config) WithDefaults() Config {
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	switch {
	case c.MaxNetworkRetries == 0:
		c.MaxNetworkRetries = DefaultMaxNetworkRetries
	case c.MaxNetworkRetries < 0:
		c.MaxNetworkRetries = 0
	}
	return c
}

// Validate reports a missing key.
func (c Config) Validate() error {
	if c.SecretKey == "" {
		return errors.New("stripe: the secret key is not configured")
	}
	return nil
}

// LogValue keeps the key out of logs.
func (c Config) LogValue() slog.Value {
	key := "unset"
	if c.SecretKey != "" {
		key = "set"
	}
	return slog.GroupValue(slog.String("api_url", c.WithDefaults().APIURL), slog.String("secret_key", key),
		slog.Duration("timeout", c.WithDefaults().Timeout), slog.Int("max_network_retries", c.WithDefaults().MaxNetworkRetries))
}
