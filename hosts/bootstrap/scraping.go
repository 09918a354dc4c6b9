package bootstrap

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/apify"
	"github.com/oslira/oslira/adapters/httpclient"
	"github.com/oslira/oslira/adapters/metrics"
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/samplescraper"
	"github.com/oslira/oslira/adapters/secrets"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/lead"
	"github.com/oslira/oslira/core/maintenance"
	"github.com/oslira/oslira/core/observe"
	"github.com/oslira/oslira/core/secret"
)

// ScrapingConfig is the scraper chain's configuration, from the environment:
// APIFY_ACTOR_ID (default apify~instagram-profile-scraper), APIFY_BASE_URL (default
// https://api.apify.com/v2; tests point it at a fake) and PROFILE_CACHE_TTL (default 24h). The
// token APIFY_API_TOKEN is a secret, read through the secrets port.
type ScrapingConfig struct {
	Apify    apify.Config
	CacheTTL time.Duration
}

// LoadScrapingConfig reads and validates the scraping variables; every malformed one is named.
func LoadScrapingConfig(lookup func(string) (string, bool)) (ScrapingConfig, error) {
	get := func(name string) string { v, _ := lookup(name); return strings.TrimSpace(v) }
	var c ScrapingConfig
	var bad []string
	c.Apify.ActorID = get("APIFY_ACTOR_ID")
	if strings.ContainsAny(c.Apify.ActorID, "/?# ") {
		bad = append(bad, "APIFY_ACTOR_ID must be an actor id or username~actor-name (\"~\", not \"/\")")
	}
	c.Apify.BaseURL = strings.TrimSuffix(get("APIFY_BASE_URL"), "/")
	if v := c.Apify.BaseURL; v != "" && !absoluteHTTPURL(v) {
		bad = append(bad, "APIFY_BASE_URL must be an absolute http(s) URL")
	}
	c.CacheTTL = lead.DefaultCacheTTL
	if v := get("PROFILE_CACHE_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		// At most as long as the retention job keeps a row (profile_cache, 7 days).
		if err != nil || d < time.Minute || d > maintenance.ProfileCacheKeep {
			bad = append(bad, "PROFILE_CACHE_TTL must be a duration from 1m to 168h, such as 24h")
		}
		c.CacheTTL = d
	}
	if len(bad) > 0 {
		return c, fmt.Errorf("configuration: %s", strings.Join(bad, "; "))
	}
	return c, nil
}

// scrapingSecretTimeout bounds the start-up check of APIFY_API_TOKEN.
const scrapingSecretTimeout = 15 * time.Second

// Scraping provides the lead.Scraper of the analysis and the "breaker:apify" health check
// (group "health"). It needs Config, secrets.LookupFunc, a secret.Provider and *postgres.DB.
//
//   - APIFY_API_TOKEN set: the profile cache (PostgreSQL, PROFILE_CACHE_TTL) in front of a chain
//     of the real providers (Apify, behind its breaker); in development and test the bundled sample
//     scraper is the last resort behind that, outside the cache, so a sample answer is never
//     cached as if it were real.
//   - no token: development and test use the sample scraper alone (no cache, no cost); staging and
//     production refuse to start — offline data never replaces a real provider there.
var Scraping = fx.Module("scraping", fx.Provide(provideScraping))

type scrapingParams struct {
	fx.In

	Config  Config
	Lookup  secrets.LookupFunc
	Secrets secret.Provider
	DB      *postgres.DB
	Log     *slog.Logger
	Metrics *metrics.Metrics `optional:"true"` // the Apify client's calls and breaker (Metrics module)
}

type scrapingOut struct {
	fx.Out

	Scraper lead.Scraper
	Health  observe.HealthChecker `group:"health"`
}

func provideScraping(p scrapingParams) (scrapingOut, error) {
	sc, err := LoadScrapingConfig(p.Lookup)
	if err != nil {
		return scrapingOut{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), scrapingSecretTimeout)
	defer cancel()
	_, err = p.Secrets.Get(ctx, apify.TokenSecret)
	hasToken := err == nil
	if err != nil && apperr.KindOf(err) != apperr.NotFound {
		return scrapingOut{}, fmt.Errorf("reading %s: %w", apify.TokenSecret, err)
	}
	sample, err := samplescraper.New(nil)
	if err != nil {
		return scrapingOut{}, err
	}
	if !hasToken {
		if !p.Config.Env.Local() {
			return scrapingOut{}, fmt.Errorf("%s is required in %s: the sample profiles never replace a real provider", apify.TokenSecret, p.Config.Env)
		}
		p.Log.Warn("apify is not configured: profiles come from the bundled sample set (provider \"sample\")", "secret", apify.TokenSecret)
		return scrapingOut{Scraper: sample, Health: notConfigured("breaker:apify")}, nil
	}
	client, err := apify.NewHTTPClient(sc.Apify, httpclient.Config{Logger: p.Log, Metrics: p.Metrics.Providers()})
	if err != nil {
		return scrapingOut{}, err
	}
	a, err := apify.New(sc.Apify, client, p.Secrets, p.Log)
	if err != nil {
		return scrapingOut{}, err
	}
	providers := lead.NewChain(p.Log, lead.ChainLink{Name: apify.ProviderName, Scraper: a})
	var s lead.Scraper = lead.NewCachedScraper(providers, postgres.NewProfileCache(p.DB), lead.WithTTL(sc.CacheTTL, 0), lead.WithLogger(p.Log))
	if p.Config.Env.Local() {
		s = lead.NewChain(p.Log, lead.ChainLink{Name: "cached", Scraper: s}, lead.ChainLink{Name: samplescraper.ProviderName, Scraper: sample})
	}
	p.Log.Info("apify configured", "actor", orDefault(sc.Apify.ActorID, apify.DefaultActorID), "cache_ttl", sc.CacheTTL.String())
	return scrapingOut{Scraper: s, Health: client.HealthCheck()}, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// notConfigured is the health check of a provider this deployment does not use.
type notConfigured string

func (n notConfigured) Name() string                { return string(n) }
func (n notConfigured) Critical() bool              { return false }
func (n notConfigured) Check(context.Context) error { return observe.ErrNotConfigured }
