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
}

// newAPI is NewAPI with every service, for fx.
func newAPI(p apiParams) *API {
	var anonymous AnonymousAnalyzer
	if p.Anonymous != nil { // a nil *Anonymous in the interface would not read as "none"
		anonymous = p.Anonymous
	}
	return NewAPI(p.Verifier, p.Accounts, p.Credits, p.Billing).WithBusiness(p.Businesses).WithAnalyses(p.Analyses, anonymous)
}
