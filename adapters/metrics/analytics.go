package metrics

import "github.com/prometheus/client_golang/prometheus"

// AnalyticsDropped exposes the analytics buffer's drop count (events refused because the
// buffer was full) as analytics_events_dropped_total, read at each scrape. dropped must be
// monotonic and safe for concurrent use (core/analytics' Dropped). Register it once.
func (m *Metrics) AnalyticsDropped(dropped func() uint64) error {
	return m.reg.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "analytics_events_dropped_total",
		Help: "Analytics events dropped because the in-memory buffer was full.",
	}, func() float64 { return float64(dropped()) }))
}
