package metrics

import (
	"context"
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/oslira/oslira/adapters/httpclient"
)

// The provider instruments, fed by adapters/httpclient (Providers is every client's Metrics
// hook); provider is the client's name ("apify", "openai", "anthropic"):
//
//	provider_calls_total{provider}                  calls, after their last attempt
//	provider_call_duration_seconds{provider}        histogram of whole calls, retries included
//	provider_call_errors_total{provider,reason}     transport | circuit_open | cancelled |
//	                                                rate_limited | server_error | client_error
//	provider_retries_total{provider}                waits between attempts
//	circuit_breaker_state{name}                     0 closed, 1 half-open, 2 open, -1 disabled
func (m *Metrics) registerProviders() {
	m.providerCalls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "provider_calls_total",
		Help: "Calls to external providers over adapters/httpclient, counted once after their last attempt.",
	}, []string{"provider"})
	m.providerDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "provider_call_duration_seconds",
		Help:    "Duration of provider calls, retries and their waits included.",
		Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 20, 30, 60, 120},
	}, []string{"provider"})
	m.providerErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "provider_call_errors_total",
		Help: "Provider calls that ended without a successful answer, by reason: transport, circuit_open, cancelled, rate_limited (429), server_error (5xx), client_error (other 4xx).",
	}, []string{"provider", "reason"})
	m.providerRetries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "provider_retries_total",
		Help: "Provider call attempts that failed and were retried.",
	}, []string{"provider"})
	m.breakerState = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "circuit_breaker_state",
		Help: "State of each provider client's circuit breaker: 0 closed, 1 half-open, 2 open, -1 disabled.",
	}, []string{"name"})
	m.reg.MustRegister(m.providerCalls, m.providerDuration, m.providerErrors, m.providerRetries, m.breakerState)
}

// Providers returns the httpclient.Metrics hook to set in every provider client's Config. A nil
// *Metrics returns nil, which httpclient treats as "discard".
func (m *Metrics) Providers() httpclient.Metrics {
	if m == nil {
		return nil
	}
	return providerHook{m}
}

// providerHook implements httpclient.Metrics.
type providerHook struct{ m *Metrics }

// Call records one finished call. A client's breaker shows as closed from its first call until
// it reports a change: httpclient reports changes only, and a client that has made calls without
// one has a closed breaker.
func (h providerHook) Call(ev httpclient.CallEvent) {
	h.m.providerCalls.WithLabelValues(ev.Client).Inc()
	h.m.providerDuration.WithLabelValues(ev.Client).Observe(ev.Duration.Seconds())
	if reason := callError(ev); reason != "" {
		h.m.providerErrors.WithLabelValues(ev.Client, reason).Inc()
	}
	h.m.breakerMu.Lock()
	defer h.m.breakerMu.Unlock()
	if !h.m.breakerSeen[ev.Client] {
		h.m.breakerSeen[ev.Client] = true
		h.m.breakerState.WithLabelValues(ev.Client).Set(breakerValue(httpclient.BreakerClosed))
	}
}

// Retry implements httpclient.Metrics.
func (h providerHook) Retry(ev httpclient.RetryEvent) {
	h.m.providerRetries.WithLabelValues(ev.Client).Inc()
}

// BreakerChange implements httpclient.Metrics.
func (h providerHook) BreakerChange(ev httpclient.BreakerEvent) {
	h.m.breakerMu.Lock()
	defer h.m.breakerMu.Unlock()
	h.m.breakerSeen[ev.Client] = true
	h.m.breakerState.WithLabelValues(ev.Client).Set(breakerValue(ev.To))
}

// callError is the reason label of a failed call, "" for a success (2xx/3xx).
func callError(ev httpclient.CallEvent) string {
	switch {
	case errors.Is(ev.Err, httpclient.ErrCircuitOpen):
		return "circuit_open"
	case errors.Is(ev.Err, context.Canceled):
		return "cancelled"
	case ev.Err != nil || ev.Status == 0:
		return "transport"
	case ev.Status == 429:
		return "rate_limited"
	case ev.Status >= 500:
		return "server_error"
	case ev.Status >= 400:
		return "client_error"
	}
	return ""
}

func breakerValue(s httpclient.BreakerState) float64 {
	switch s {
	case httpclient.BreakerClosed:
		return 0
	case httpclient.BreakerHalfOpen:
		return 1
	case httpclient.BreakerOpen:
		return 2
	}
	return -1
}
