package secrets

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/observe"
	"github.com/oslira/oslira/core/secret"
)

// HealthName is the name under which the secrets health check reports.
const HealthName = "secrets"

// FetchReporter is a provider that remembers its last call to the secret store.
type FetchReporter interface {
	// LastFetch returns the time of the last call (zero if none) and its outcome (nil on success).
	LastFetch() (at time.Time, err error)
}

// HealthCheck reports whether the secret store answered the provider's most recent call. It never
// calls the store itself: /health may be polled every few seconds, and each GetSecretValue costs
// money and counts against the account's API rate limit. The price is latency of detection: a
// store that broke after the last call shows up at the next refresh (within one TTL).
//
// "Answered" includes "not found". Before the first call the check passes; with the env
// provider there is no store, and it reports observe.ErrNotConfigured. Its error names the failure's code and the AWS error code, never a secret's name or
// value, so it is safe for a public /health body.
type HealthCheck struct {
	src FetchReporter
}

var _ observe.HealthChecker = (*HealthCheck)(nil)

// NewHealthCheck returns a check over src.
func NewHealthCheck(src FetchReporter) *HealthCheck { return &HealthCheck{src: src} }

// Name returns HealthName.
func (h *HealthCheck) Name() string { return HealthName }

// Critical is false: secrets are loaded at start-up and cached, so a store outage degrades
// /health but must not pull the instance out of the load balancer.
func (h *HealthCheck) Critical() bool { return false }

// Check reports the outcome of the last fetch without any I/O.
func (h *HealthCheck) Check(context.Context) error {
	if _, env := h.src.(*EnvProvider); env {
		return observe.ErrNotConfigured
	}
	at, err := h.src.LastFetch()
	if err == nil || errors.Is(err, secret.ErrNotFound) {
		return nil
	}
	detail := apperr.CodeOf(err)
	if code := awsCode(err); code != "" {
		detail += ", " + code
	}
	return fmt.Errorf("last secrets fetch at %s failed (%s)", at.UTC().Format(time.RFC3339), detail)
}
