package anthropic

import (
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/oslira/oslira/adapters/httpclient"
)

// DefaultBaseURL is Anthropic's API (without /v1, as its SDKs take it).
const DefaultBaseURL = "https://api.anthropic.com"

// APIVersion is the anthropic-version header sent with every request.
const APIVersion = "2023-06-01"

// Config configures the client.
type Config struct {
	// BaseURL is the API root without /v1 (ANTHROPIC_BASE_URL; default DefaultBaseURL), or the
	// gateway's provider URL. Tests point it at a fake.
	BaseURL string
	// APIKey is the secret ANTHROPIC_API_KEY. Never logged.
	APIKey string
	// Gateway configures Cloudflare AI Gateway headers; zero when calls go direct.
	Gateway Gateway
	// Temperature of every call (default 0).
	Temperature float64
	// HTTP tunes the outbound client; Name defaults to "anthropic", Timeout to 120 s, MaxRetries
	// to 2.
	HTTP httpclient.Config
}

// Gateway holds the Cloudflare AI Gateway settings (see the openai package's twin).
type Gateway struct {
	Token     string        // cf-aig-authorization: Bearer …; a secret
	CacheTTL  time.Duration // cf-aig-cache-ttl (≥ 60 s); 0 leaves the gateway's setting
	SkipCache bool          // cf-aig-skip-cache: true
	Metadata  bool          // cf-aig-metadata with purpose and account
}

func (c Config) withDefaults() (Config, error) {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return c, errors.New("anthropic: BaseURL must be an absolute http(s) URL without user info")
	}
	if c.APIKey == "" {
		return c, errors.New("anthropic: APIKey is required")
	}
	if c.Temperature < 0 || c.Temperature > 1 {
		return c, errors.New("anthropic: Temperature must be between 0 and 1")
	}
	if c.Gateway.CacheTTL != 0 && c.Gateway.CacheTTL < time.Minute {
		return c, errors.New("anthropic: the gateway cache TTL must be at least 60s")
	}
	if c.HTTP.Name == "" {
		c.HTTP.Name = "anthropic"
	}
	if c.HTTP.Timeout == 0 {
		c.HTTP.Timeout = 120 * time.Second
	}
	if c.HTTP.MaxRetries == 0 && !c.HTTP.NoRetries {
		c.HTTP.MaxRetries = 2
	}
	c.HTTP.RetryNonIdempotent = true // a message creates nothing server-side
	c.HTTP.RetryStatuses = append(c.HTTP.RetryStatuses, 529)
	return c, nil
}

// LogValue describes c without secrets.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", c.BaseURL),
		slog.Bool("gateway_token", c.Gateway.Token != ""),
		slog.Duration("gateway_cache_ttl", c.Gateway.CacheTTL),
	)
}
