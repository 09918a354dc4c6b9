package bootstrap

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/anthropic"
	"github.com/oslira/oslira/adapters/httpclient"
	"github.com/oslira/oslira/adapters/jsonschema"
	"github.com/oslira/oslira/adapters/metrics"
	"github.com/oslira/oslira/adapters/offline"
	"github.com/oslira/oslira/adapters/openai"
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/secrets"
	"github.com/oslira/oslira/contracts"
	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/observe"
	"github.com/oslira/oslira/core/secret"
)

// The LLM secrets, read through the secrets port.
const (
	OpenAIKeyName      = "OPENAI_API_KEY"
	AnthropicKeyName   = "ANTHROPIC_API_KEY"
	AIGatewayTokenName = "AI_GATEWAY_TOKEN" // Cloudflare AI Gateway token (cf-aig-authorization), optional
)

// defaultPrices is the embedded price table (USD per million tokens, with its effective date);
// LLM_PRICES_FILE replaces it.
//
//go:embed llm_prices.json
var defaultPrices []byte

// LLM defaults.
const (
	DefaultLLMCacheTTL           = 24 * time.Hour
	DefaultOpenAISmallModel      = "gpt-5-mini"
	DefaultOpenAIStrongModel     = "gpt-5"
	DefaultAnthropicSmallModel   = "claude-haiku-4-5"
	DefaultAnthropicStrongModel  = "claude-sonnet-4-5"
	cloudflareGatewayURLTemplate = "https://gateway.ai.cloudflare.com/v1/"
)

// LLMConfig is the language-model gateway's configuration, from the environment (keys are
// secrets, read through the secrets port):
//
//	LLM_PROVIDERS            order of preference, default "openai,anthropic" (those with a key are used)
//	OPENAI_BASE_URL          default https://api.openai.com/v1 (a fake server in tests and `make run`)
//	ANTHROPIC_BASE_URL       default https://api.anthropic.com
//	AI_GATEWAY_URL           Cloudflare AI Gateway root https://gateway.ai.cloudflare.com/v1/{account}/{gateway};
//	                         or CLOUDFLARE_ACCOUNT_ID + AI_GATEWAY_ID. Provider base URLs become <root>/openai, <root>/anthropic
//	AI_GATEWAY_CACHE_TTL     cf-aig-cache-ttl (≥ 1m); unset leaves the gateway's own setting
//	LLM_OPENAI_SMALL_MODEL, LLM_OPENAI_STRONG_MODEL, LLM_ANTHROPIC_SMALL_MODEL, LLM_ANTHROPIC_STRONG_MODEL
//	LLM_CACHE_TTL            response-cache lifetime, default 24h; 0 disables the cache
//	LLM_PRICES_FILE          a price-table JSON replacing the embedded one
type LLMConfig struct {
	Providers        []string
	OpenAIBaseURL    string
	AnthropicBaseURL string
	GatewayURL       string
	GatewayCacheTTL  time.Duration
	OpenAISmall      string
	OpenAIStrong     string
	AnthropicSmall   string
	AnthropicStrong  string
	CacheTTL         time.Duration
	PricesFile       string
}

// LoadLLMConfig reads and validates the LLM variables; every malformed one is named.
func LoadLLMConfig(lookup func(string) (string, bool)) (LLMConfig, error) {
	get := func(name string) string { v, _ := lookup(name); return strings.TrimSpace(v) }
	var c LLMConfig
	var bad []string
	c.Providers = []string{openai.Name, anthropic.Name}
	if v := get("LLM_PROVIDERS"); v != "" {
		c.Providers = nil
		for _, p := range splitList(strings.ToLower(v)) {
			if (p != openai.Name && p != anthropic.Name) || slices.Contains(c.Providers, p) {
				bad = append(bad, "LLM_PROVIDERS must list openai and/or anthropic, each once, in order of preference")
				break
			}
			c.Providers = append(c.Providers, p)
		}
	}
	for _, u := range []struct {
		name string
		dst  *string
	}{{"OPENAI_BASE_URL", &c.OpenAIBaseURL}, {"ANTHROPIC_BASE_URL", &c.AnthropicBaseURL}, {"AI_GATEWAY_URL", &c.GatewayURL}} {
		*u.dst = strings.TrimSuffix(get(u.name), "/")
		if *u.dst != "" && !absoluteHTTPURL(*u.dst) {
			bad = append(bad, u.name+" must be an absolute http(s) URL")
		}
	}
	acct, gw := get("CLOUDFLARE_ACCOUNT_ID"), get("AI_GATEWAY_ID")
	switch {
	case (acct == "") != (gw == ""):
		bad = append(bad, "CLOUDFLARE_ACCOUNT_ID and AI_GATEWAY_ID go together")
	case acct != "" && c.GatewayURL != "":
		bad = append(bad, "set AI_GATEWAY_URL or CLOUDFLARE_ACCOUNT_ID + AI_GATEWAY_ID, not both")
	case strings.ContainsAny(acct+gw, "/?# "):
		bad = append(bad, "CLOUDFLARE_ACCOUNT_ID and AI_GATEWAY_ID must be plain ids")
	case acct != "":
		c.GatewayURL = cloudflareGatewayURLTemplate + acct + "/" + gw
	}
	if v := get("AI_GATEWAY_CACHE_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute || d > 30*24*time.Hour {
			bad = append(bad, "AI_GATEWAY_CACHE_TTL must be a duration from 1m to 720h")
		}
		c.GatewayCacheTTL = d
	}
	for _, m := range []struct {
		name, def string
		dst       *string
	}{
		{"LLM_OPENAI_SMALL_MODEL", DefaultOpenAISmallModel, &c.OpenAISmall},
		{"LLM_OPENAI_STRONG_MODEL", DefaultOpenAIStrongModel, &c.OpenAIStrong},
		{"LLM_ANTHROPIC_SMALL_MODEL", DefaultAnthropicSmallModel, &c.AnthropicSmall},
		{"LLM_ANTHROPIC_STRONG_MODEL", DefaultAnthropicStrongModel, &c.AnthropicStrong},
	} {
		*m.dst = get(m.name)
		if *m.dst == "" {
			*m.dst = m.def
		} else if strings.ContainsAny(*m.dst, " /?#") {
			bad = append(bad, m.name+" must be a model id such as "+m.def)
		}
	}
	c.CacheTTL = DefaultLLMCacheTTL
	if v := get("LLM_CACHE_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > 90*24*time.Hour {
			bad = append(bad, "LLM_CACHE_TTL must be a duration from 0 (off) to 2160h, such as 24h")
		}
		c.CacheTTL = d
	}
	c.PricesFile = get("LLM_PRICES_FILE")
	if len(bad) > 0 {
		return c, fmt.Errorf("configuration: %s", strings.Join(bad, "; "))
	}
	return c, nil
}

// Prices returns the price table: LLM_PRICES_FILE when set, else the embedded default.
func (c LLMConfig) Prices() (ai.PriceTable, error) {
	data, source := defaultPrices, "embedded"
	if c.PricesFile != "" {
		b, err := os.ReadFile(c.PricesFile)
		if err != nil {
			return ai.PriceTable{}, fmt.Errorf("LLM_PRICES_FILE: %w", err)
		}
		data, source = b, c.PricesFile
	}
	t, err := ai.ParsePriceTable(data)
	if err != nil {
		return ai.PriceTable{}, fmt.Errorf("prices (%s): %w", source, err)
	}
	return t, nil
}

// llmSecretTimeout bounds reading the LLM secrets at start-up.
const llmSecretTimeout = 15 * time.Second

// LLM provides ai.LLM — the Gateway over the configured providers with the PostgreSQL response
// cache (llm_cache) and usage ledger (ai_usage) and the JSON-Schema validator — and the health
// checks "breaker:openai" and "breaker:anthropic" (group "health"). It needs Config,
// secrets.LookupFunc, a secret.Provider and *postgres.DB.
//
// Providers are used in LLM_PROVIDERS order when their key (OPENAI_API_KEY, ANTHROPIC_API_KEY)
// is in the secret store. With no key, development and test use the offline analyzer (provider
// and model "offline", free); staging and production refuse to start — offline answers never
// replace a real provider there.
var LLM = fx.Module("llm", fx.Provide(provideLLM))

type llmParams struct {
	fx.In

	Config  Config
	Lookup  secrets.LookupFunc
	Secrets secret.Provider
	DB      *postgres.DB
	Log     *slog.Logger
	Metrics *metrics.Metrics `optional:"true"` // provider calls, AI cost and cache hits (Metrics module)
}

type llmOut struct {
	fx.Out

	LLM    ai.LLM
	Health []observe.HealthChecker `group:"health,flatten"`
}

func provideLLM(p llmParams) (llmOut, error) {
	gw, health, err := newLLMGateway(p.Config.Env, p.Lookup, p.Secrets, p.DB, p.Log, p.Metrics)
	if err != nil {
		return llmOut{}, err
	}
	return llmOut{LLM: gw, Health: health}, nil
}

// NewLLMGateway builds the gateway as the LLM module does (exported for tests and tools).
func NewLLMGateway(env Env, lookup func(string) (string, bool), store secret.Provider, db *postgres.DB, log *slog.Logger) (*ai.Gateway, []observe.HealthChecker, error) {
	return newLLMGateway(env, lookup, store, db, log, nil)
}

// newLLMGateway is NewLLMGateway reporting to m (nil: no metrics): each provider client's calls
// and breaker through the httpclient hook, each usage record's cost and cache hit through the
// recorder's decorator.
func newLLMGateway(env Env, lookup func(string) (string, bool), store secret.Provider, db *postgres.DB, log *slog.Logger, m *metrics.Metrics) (*ai.Gateway, []observe.HealthChecker, error) {
	cfg, err := LoadLLMConfig(lookup)
	if err != nil {
		return nil, nil, err
	}
	prices, err := cfg.Prices()
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), llmSecretTimeout)
	defer cancel()
	read := func(name string) (string, error) { return optionalSecret(ctx, store, name) }
	gatewayToken := ""
	if cfg.GatewayURL != "" {
		if gatewayToken, err = read(AIGatewayTokenName); err != nil {
			return nil, nil, err
		}
	}
	var routes []ai.Route
	health := map[string]observe.HealthChecker{
		openai.Name: notConfigured("breaker:" + openai.Name), anthropic.Name: notConfigured("breaker:" + anthropic.Name),
	}
	for _, name := range cfg.Providers {
		switch name {
		case openai.Name:
			key, err := read(OpenAIKeyName)
			if err != nil {
				return nil, nil, err
			}
			if key == "" {
				continue
			}
			c, err := openai.New(openai.Config{
				BaseURL: providerURL(cfg.OpenAIBaseURL, cfg.GatewayURL, openai.Name),
				APIKey:  key,
				Gateway: openai.Gateway{Token: gatewayToken, CacheTTL: cfg.GatewayCacheTTL, Metadata: cfg.GatewayURL != ""},
				HTTP:    httpclient.Config{Logger: log, Metrics: m.Providers()},
			})
			if err != nil {
				return nil, nil, err
			}
			routes = append(routes, ai.Route{Provider: c, Small: cfg.OpenAISmall, Strong: cfg.OpenAIStrong})
			health[name] = c.HealthCheck()
		case anthropic.Name:
			key, err := read(AnthropicKeyName)
			if err != nil {
				return nil, nil, err
			}
			if key == "" {
				continue
			}
			c, err := anthropic.New(anthropic.Config{
				BaseURL: providerURL(cfg.AnthropicBaseURL, cfg.GatewayURL, anthropic.Name),
				APIKey:  key,
				Gateway: anthropic.Gateway{Token: gatewayToken, CacheTTL: cfg.GatewayCacheTTL, Metadata: cfg.GatewayURL != ""},
				HTTP:    httpclient.Config{Logger: log, Metrics: m.Providers()},
			})
			if err != nil {
				return nil, nil, err
			}
			routes = append(routes, ai.Route{Provider: c, Small: cfg.AnthropicSmall, Strong: cfg.AnthropicStrong})
			health[name] = c.HealthCheck()
		}
	}
	if len(routes) == 0 {
		if !env.Local() {
			return nil, nil, fmt.Errorf("%s or %s is required in %s: the offline analyzer never replaces a real model", OpenAIKeyName, AnthropicKeyName, env)
		}
		log.Warn("no language-model key is configured: answers come from the offline analyzer (model \"offline\")",
			"secrets", []string{OpenAIKeyName, AnthropicKeyName})
		routes = []ai.Route{{Provider: offline.New(), Small: offline.Model, Strong: offline.Model}}
	}
	for _, r := range routes {
		for _, m := range []string{r.Small, r.Strong} {
			if _, ok := prices.Lookup(m); !ok && r.Provider.Name() != offline.Name {
				log.Warn("llm model missing from the price table: its cost will be recorded as unknown",
					"provider", r.Provider.Name(), "model", m, "prices_effective", prices.EffectiveDate.Format(time.DateOnly))
			}
		}
	}
	gw, err := ai.NewGateway(ai.GatewayConfig{
		Routes: routes, Prices: prices, Schemas: contracts.AISchemas(), CacheTTL: cfg.CacheTTL,
	}, ai.GatewayPorts{
		Cache: postgres.NewLLMCache(db), Usage: m.Usage(postgres.NewAIUsageStore(db)), Validator: jsonschema.New(), Log: log,
	})
	if err != nil {
		return nil, nil, err
	}
	log.Info("llm configured", "providers", gw.Providers(), "gateway", cfg.GatewayURL != "",
		"cache_ttl", cfg.CacheTTL.String(), "prices_effective", prices.EffectiveDate.Format(time.DateOnly))
	return gw, []observe.HealthChecker{health[openai.Name], health[anthropic.Name]}, nil
}

// providerURL is the explicit base URL, else the AI gateway's provider URL, else "" (the
// adapter's default).
func providerURL(explicit, gateway, provider string) string {
	switch {
	case explicit != "":
		return explicit
	case gateway != "":
		return gateway + "/" + provider
	default:
		return ""
	}
}
