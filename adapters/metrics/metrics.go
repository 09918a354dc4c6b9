package metrics

import (
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics owns a process's registry and instruments. Build it with New; every method is safe
// for concurrent use. The HTTP instruments are registered by the first call to HTTP, so a
// process without an HTTP host (the worker) exports none of them.
type Metrics struct {
	reg *prometheus.Registry

	runsStarted  *prometheus.CounterVec
	runsFinished *prometheus.CounterVec
	stepRetries  *prometheus.CounterVec

	providerCalls    *prometheus.CounterVec
	providerDuration *prometheus.HistogramVec
	providerErrors   *prometheus.CounterVec
	providerRetries  *prometheus.CounterVec
	breakerState     *prometheus.GaugeVec
	breakerMu        sync.Mutex
	breakerSeen      map[string]bool

	aiCost      *prometheus.CounterVec
	aiCacheHits *prometheus.CounterVec
	aiSaved     *prometheus.CounterVec

	httpOnce sync.Once
	http     *HTTP
}

// New returns the metrics of one process over a fresh registry holding the Go runtime and
// process collectors and every instrument but the HTTP ones (see HTTP).
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	m := &Metrics{reg: reg, breakerSeen: map[string]bool{}}
	m.registerWorkflow()
	m.registerProviders()
	m.registerAI()
	return m
}

// Registry is the process's registry, for collectors of its own (Pool) and tests.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition format. A collector that fails is
// reported in the answer's error series, not as a failed scrape (promhttp.ContinueOnError):
// one broken source must not hide the others.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, Registry: m.reg})
}
