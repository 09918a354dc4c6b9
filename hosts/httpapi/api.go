package httpapi

import (
	"context"

	"go.uber.org/fx"

	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/insights"
	"github.com/oslira/oslira/core/live"
)

// API holds what the /v1 handlers call: the token verifier port and the core services. Handlers
// are thin — parse the request, call one use case with the principal and plain values, write JSON;
// every rule lives in core.
type API struct {
	verifier identity.TokenVerifier
	accounts *account.Service
	credits  *credit.Service
	limits   rateLimits // WithLimiter (ratelimit.go); the zero value limits nothing
	billing  Billing
	business *business.Service
	// analyses and anonymous serve the analysis, batch and lead routes (WithAnalyses); nil
	// makes those routes answer 503 (requireAnalyses).
	analyses  *analyze.Service
	anonymous AnonymousAnalyzer
	// live serves the progress streams and the WebSocket tickets (WithLive); nil makes those
	// routes answer 503 (requireLive).
	live *liveRoutes
	// insights answers the operator analytics routes (WithInsights, admin_analytics.go); nil
	// makes them answer 503.
	insights *insights.Service
}

// AnonymousAnalyzer is the landing page's anonymous light analysis (*analyze.Anonymous): one
// handle as typed by a visitor, nothing stored but caches.
type AnonymousAnalyzer interface {
	Analyze(ctx context.Context, rawUsername string) (analyze.AnonymousResult, error)
}

// WebhookVerifier checks a Stripe delivery: payload is the raw body, signature the
// Stripe-Signature header. It returns the verified event, or billing.ErrWebhookSignature /
// billing.ErrWebhookPayload (400), billing.ErrNotConfigured when this server has no webhook
// secret (503), or Unavailable when the secret store cannot be reached. Bootstrap builds it over
// the secret provider and the stripe adapter.
type WebhookVerifier func(ctx context.Context, payload []byte, signature string) (billing.Event, error)

// Billing is what the billing and webhook handlers call. A nil field makes its routes answer 503
// billing.not-configured (the Service itself refuses checkouts and portal sessions when it has
// no payment provider).
type Billing struct {
	Service       *billing.Service
	Inbox         *billing.Inbox
	VerifyWebhook WebhookVerifier
}

// NewAPI returns the handlers over their dependencies. The business-profile routes need
// WithBusiness as well (fx does both: see newAPI).
func NewAPI(verifier identity.TokenVerifier, accounts *account.Service, credits *credit.Service, billing Billing) *API {
	return &API{verifier: verifier, accounts: accounts, credits: credits, billing: billing}
}

// WithBusiness sets the business-profile use cases and returns a.
func (a *API) WithBusiness(s *business.Service) *API {
	a.business = s
	return a
}

// WithAnalyses sets the analysis use cases (submit, bulk, batches, reads, leads) and the
// anonymous analysis, and returns a. Either may be nil: its routes then answer 503.
func (a *API) WithAnalyses(s *analyze.Service, anonymous AnonymousAnalyzer) *API {
	a.analyses, a.anonymous = s, anonymous
	return a
}

// WithLive sets what the live progress routes need — the process's hub, the replay of stored
// events and the WebSocket tickets (events_ws.go, events_sse.go) — and returns a. When any of
// them is nil the live routes answer 503 service.unavailable (an API without live progress
// still serves everything else).
func (a *API) WithLive(hub *live.Hub, replay live.Replayer, tickets live.Tickets) *API {
	a.live = nil
	if hub != nil && replay != nil && tickets != nil {
		a.live = &liveRoutes{hub: hub, replay: replay, tickets: tickets, heartbeat: sseHeartbeat, ping: wsPingInterval}
	}
	return a
}

// apiParams is what newAPI takes from the graph. The analysis services are optional so that a
// graph without them still starts (their routes answer 503 service.unavailable).
type apiParams struct {
	fx.In
	Verifier   identity.TokenVerifier
	Accounts   *account.Service
	Credits    *credit.Service
	Billing    Billing
	Businesses *business.Service
	Analyses   *analyze.Service   `optional:"true"`
	Anonymous  *analyze.Anonymous `optional:"true"`
	// The live progress ports: optional, like the analyses (their routes answer 503 without).
	Hub      *live.Hub     `optional:"true"`
	Replayer live.Replayer `optional:"true"`
	Tickets  live.Tickets  `optional:"true"`
	// The operator analytics: optional too (their routes answer 503 without).
	Insights *insights.Service `optional:"true"`
}

// newAPI is NewAPI with every service, for fx.
func newAPI(p apiParams) *API {
	var anonymous AnonymousAnalyzer
	if p.Anonymous != nil { // a nil *Anonymous in the interface would not read as "none"
		anonymous = p.Anonymous
	}
	return NewAPI(p.Verifier, p.Accounts, p.Credits, p.Billing).WithBusiness(p.Businesses).WithAnalyses(p.Analyses, anonymous).
		WithLive(p.Hub, p.Replayer, p.Tickets).WithInsights(p.Insights)
}
