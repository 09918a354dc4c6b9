package apify

import (
	"errors"
	"net/url"
	"time"
)

// Defaults.
const (
	DefaultBaseURL = "https://api.apify.com/v2"
	// DefaultActorID is apify/instagram-profile-scraper in URL form ("/" written "~").
	DefaultActorID = "apify~instagram-profile-scraper"
	// DefaultRunTimeout is the actor run's own timeout: below the sync endpoint's 300 s wait, so
	// the run ends (or fails) before the endpoint gives up on it.
	DefaultRunTimeout = 120 * time.Second
	// DefaultMemoryMB is the run's memory.
	DefaultMemoryMB = 1024
	// DefaultMaxWait bounds the asynchronous path (start, polls, dataset).
	DefaultMaxWait = 5 * time.Minute
	// DefaultPollWait is the server-side wait of each poll (waitForFinish, at most 60 s).
	DefaultPollWait = 30 * time.Second
	// DefaultPollInterval is the pause between polls that returned a running run.
	DefaultPollInterval = 2 * time.Second
	// DefaultCostPerResultMicros is the pay-per-result price of one profile: $2.60 / 1,000.
	DefaultCostPerResultMicros = 2600
	// TokenSecret is the secret holding the API token.
	TokenSecret = "APIFY_API_TOKEN"
)

// Config configures the adapter. Zero fields take the defaults.
type Config struct {
	BaseURL string
	// ActorID is the actor's id or "username~actor-name" (APIFY_ACTOR_ID).
	ActorID    string
	RunTimeout time.Duration
	MemoryMB   int
	MaxWait    time.Duration
	// PollWait is sent as waitForFinish (whole seconds, 0–60); PollInterval is slept between polls.
	PollWait     time.Duration
	PollInterval time.Duration
	// CostPerResultMicros prices one profile result when the run's own cost is unknown.
	CostPerResultMicros int64
}

// WithDefaults fills zero fields and validates the base URL.
func (c Config) WithDefaults() (Config, error) {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return c, errors.New("apify: base URL must be an absolute http(s) URL")
	}
	if c.ActorID == "" {
		c.ActorID = DefaultActorID
	}
	if c.RunTimeout <= 0 {
		c.RunTimeout = DefaultRunTimeout
	}
	if c.MemoryMB <= 0 {
		c.MemoryMB = DefaultMemoryMB
	}
	if c.MaxWait <= 0 {
		c.MaxWait = DefaultMaxWait
	}
	if c.PollWait < 0 || c.PollWait > 60*time.Second {
		c.PollWait = DefaultPollWait
	}
	if c.PollInterval <= 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.CostPerResultMicros <= 0 {
		c.CostPerResultMicros = DefaultCostPerResultMicros
	}
	return c, nil
}

// HTTPTimeout is the per-attempt timeout the adapter's HTTP client needs: the run's timeout plus
// a margin for start-up and the dataset transfer, within the sync endpoint's 300 s wait + 10 s.
func (c Config) HTTPTimeout() time.Duration {
	return min(c.RunTimeout+30*time.Second, 310*time.Second)
}
