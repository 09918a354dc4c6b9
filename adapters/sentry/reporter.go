package sentry

import (
	"context"
	"fmt"
	"time"

	sdk "github.com/getsentry/sentry-go"
	sentrygin "github.com/getsentry/sentry-go/gin"
	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/apperr"
)

// Config is what the reporter needs. DSN is a secret (SENTRY_DSN, read through the secrets
// port); the rest comes from the configuration.
type Config struct {
	DSN         string
	Environment string // APP_ENV
	Release     string // the build version
	// Secrets are values that must never leave the process (API keys, signing secrets): any
	// text of an event containing one has it replaced by "[redacted]". Values shorter than 8
	// characters are ignored (they would redact ordinary words).
	Secrets []string
}

// String names the configuration without the DSN's key.
func (c Config) String() string {
	return fmt.Sprintf("sentry{enabled:%t env:%s release:%s}", c.DSN != "", c.Environment, c.Release)
}

// Reporter reports errors to Sentry. The zero value and a Reporter built without a DSN are
// disabled.
type Reporter struct {
	hub *sdk.Hub
}

// New builds the reporter. An empty DSN yields a disabled reporter; a malformed one is an error.
// Tracing is off (only error events are sent) and default PII is never sent.
func New(cfg Config) (*Reporter, error) {
	if cfg.DSN == "" {
		return &Reporter{}, nil
	}
	s := newScrubber(cfg.Secrets)
	client, err := sdk.NewClient(sdk.ClientOptions{
		Dsn:              cfg.DSN,
		Environment:      cfg.Environment,
		Release:          cfg.Release,
		SendDefaultPII:   false,
		EnableTracing:    false,
		TracesSampleRate: 0,
		MaxBreadcrumbs:   -1, // none: breadcrumbs would carry log text we did not scrub field by field
		BeforeSend: func(ev *sdk.Event, _ *sdk.EventHint) *sdk.Event {
			s.event(ev)
			return ev
		},
		BeforeSendTransaction: func(*sdk.Event, *sdk.EventHint) *sdk.Event { return nil },
		// No ContextifyFrames: it copies source lines around each frame into the event, and
		// source text (a test fixture, a literal) is not ours to send.
		Integrations: func(in []sdk.Integration) []sdk.Integration {
			out := in[:0]
			for _, i := range in {
				if i.Name() != "ContextifyFrames" {
					out = append(out, i)
				}
			}
			return out
		},
	})
	if err != nil {
		return nil, fmt.Errorf("sentry: %w", err)
	}
	return &Reporter{hub: sdk.NewHub(client, sdk.NewScope())}, nil
}

// Enabled reports whether events are sent.
func (r *Reporter) Enabled() bool { return r != nil && r.hub != nil }

// Report sends err with tags (request_id, route, account_id, workflow, run_id… as the caller
// knows them), at level fatal, asynchronously. Callers decide what is reported (only CRITICAL:
// observe.ReportIfCritical); the error's kind and code are added as tags.
func (r *Reporter) Report(ctx context.Context, err error, tags map[string]string) {
	if !r.Enabled() || err == nil {
		return
	}
	hub := r.hub
	if h := sdk.GetHubFromContext(ctx); h != nil && h.Client() == r.hub.Client() {
		hub = h // the request's hub (sentrygin's), whose scope holds the request
	}
	hub.WithScope(func(scope *sdk.Scope) {
		scope.SetLevel(sdk.LevelFatal)
		scope.SetTags(tags)
		scope.SetTag("kind", apperr.KindOf(err).String())
		scope.SetTag("code", apperr.CodeOf(err))
		if id := tags["account_id"]; id != "" {
			scope.SetUser(sdk.User{ID: id})
		}
		hub.CaptureException(err)
	})
}

// TagPanic adds tags to the scope of the request whose context is ctx, so the event sentrygin
// makes of a panic passing through carries them. It does nothing outside a request.
func (r *Reporter) TagPanic(ctx context.Context, tags map[string]string) {
	if !r.Enabled() {
		return
	}
	if h := sdk.GetHubFromContext(ctx); h != nil && h.Client() == r.hub.Client() {
		h.Scope().SetTags(tags)
		if id := tags["account_id"]; id != "" {
			h.Scope().SetUser(sdk.User{ID: id})
		}
	}
}

// Middleware is the gin handler that reports panics: a hub of its own per request (a clone of
// the reporter's, put in the request context) and sentrygin with Repanic, so the host's
// recovery still answers 500. It must run after the host's recovery (an inner middleware). It
// is nil when the reporter is disabled.
func (r *Reporter) Middleware() gin.HandlerFunc {
	if !r.Enabled() {
		return nil
	}
	sg := sentrygin.New(sentrygin.Options{Repanic: true})
	return func(c *gin.Context) {
		c.Request = c.Request.WithContext(sdk.SetHubOnContext(c.Request.Context(), r.hub.Clone()))
		sg(c)
	}
}

// Flush waits up to timeout for queued events to be sent and reports whether they were.
func (r *Reporter) Flush(timeout time.Duration) bool {
	if !r.Enabled() {
		return true
	}
	return r.hub.Flush(timeout)
}
