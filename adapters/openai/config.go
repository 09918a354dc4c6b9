package openai

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/oslira/oslira/adapters/httpclient"
	"github.com/oslira/oslira/core/ai"
)

// DefaultBaseURL is OpenAI's API.
const DefaultBaseURL = "https://api.openai.com/v1"

// Config configures the client.
type Config struct {
	// BaseURL is the API root including /v1 (OPENAI_BASE_URL; default DefaultBaseURL), or the
	// gateway's provider URL (GatewayBaseURL). Tests point it at a fake.
	BaseURL string
	// APIKey is the secret OPENAI_API_KEY. Never logged.
	APIKey string
	// Gateway configures Cloudflare AI Gateway headers; zero when calls go direct.
	Gateway Gateway
	// ReasoningEffort is sent to reasoning models when a call has none (default low).
	ReasoningEffort ai.Effort
	// Temperature is sent to non-reasoning models (default 0: the most repeatable answers).
	Temperature float64
	// HTTP tunes the outbound client; Name defaults to "openai", Timeout to 120 s (a strong
	// model's long answer), MaxRetries to 2.
	HTTP httpclient.Config
}

// Gateway holds the Cloudflare AI Gateway settings of one provider.
type Gateway struct {
	// Token is the gateway's API token (cf-aig-authorization: Bearer …), required by an
	// authenticated gateway; "" sends none. A secret: never logged.
	Token string
	// CacheTTL asks the gateway to cache answers this long (cf-aig-cache-ttl, at least 60 s);
	// 0 leaves the gateway's own setting.
	CacheTTL time.Duration
	// SkipCache sends cf-aig-skip-cache: true (our own response cache already deduplicates).
	SkipCache bool
	// Metadata sends cf-aig-metadata with the call's purpose and account, for the gateway's logs.
	Metadata bool
}

// GatewayBaseURL is the provider-specific Cloudflare AI Gateway URL of provider ("openai",
// "anthropic"): https://gateway.ai.cloudflare.com/v1/{account}/{gateway}/{provider}.
func GatewayBaseURL(account, gateway, provider string) string {
	return "https://gateway.ai.cloudflare.com/v1/" + url.PathEscape(account) + "/" + url.PathEscape(gateway) + "/" + provider
}

func (c Config) withDefaults() (Config, error) {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return c, errors.New("openai: BaseURL must be an absolute http(s) URL without user info")
	}
	if c.APIKey == "" {
		return c, errors.New("openai: APIKey is required")
	}
	if c.ReasoningEffort == ai.EffortDefault {
		c.ReasoningEffort = ai.EffortLow
	}
	if !c.ReasoningEffort.Valid() {
		return c, fmt.Errorf("openai: unknown reasoning effort %q", c.ReasoningEffort)
	}
	if c.Temperature < 0 || c.Temperature > 2 {
		return c, errors.New("openai: Temperature must be between 0 and 2")
	}
	if c.Gateway.CacheTTL != 0 && c.Gateway.CacheTTL < time.Minute {
		return c, errors.New("openai: the gateway cache TTL must be at least 60s")
	}
	if c.HTTP.Name == "" {
		c.HTTP.Name = "openai"
	}
	if c.HTTP.Timeout == 0 {
		c.HTTP.Timeout = 120 * time.Second
	}
	if c.HTTP.MaxRetries == 0 && !c.HTTP.NoRetries {
		c.HTTP.MaxRetries = 2
	}
	// Resending a completion creates nothing server-side (store is off): safe after a timeout.
	c.HTTP.RetryNonIdempotent = true
	return c, nil
}

// LogValue describes c without secrets.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", c.BaseURL),
		slog.Bool("gateway_token", c.Gateway.Token != ""),
		slog.Duration("gateway_cache_ttl", c.Gateway.CacheTTL),
		slog.String("reasoning_effort", string(c.ReasoningEffort)),
	)
}
