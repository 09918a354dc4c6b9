package bootstrap

// loadMetrics reads METRICS_ADDR: where the Prometheus endpoint listens when it must not be on
// the API's port (the Metrics module serves it there; the API then has no /metrics). Empty: the
// API serves GET /metrics publicly (http and serve), and a worker serves no metrics.
func (c *Config) loadMetrics(l *loader) {
	c.MetricsAddr = l.get("METRICS_ADDR")
	switch {
	case c.MetricsAddr == "":
	case !validAddr(c.MetricsAddr):
		l.bad("METRICS_ADDR", "must be host:port or :port, with a port from 0 to 65535")
	case c.MetricsAddr == c.HTTPAddr:
		l.bad("METRICS_ADDR", "must differ from HTTP_ADDR: it moves /metrics off the API's listener")
	}
}
