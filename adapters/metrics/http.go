package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// HTTP holds the request instruments of an HTTP host.
type HTTP struct {
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
}

// UnmatchedRoute is the route label of a request no route matched (404, 405): its raw path would
// be a label chosen by whoever sends requests.
const UnmatchedRoute = "unmatched"

// HTTP returns the HTTP instruments, registering them on the first call:
//
//	http_request_duration_seconds{route,method,status}  histogram
//	http_requests_in_flight                             gauge
func (m *Metrics) HTTP() *HTTP {
	m.httpOnce.Do(func() {
		h := &HTTP{
			duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
				Name:    "http_request_duration_seconds",
				Help:    "Time from the start of a request to its final status, by route template, method and status code.",
				Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
			}, []string{"route", "method", "status"}),
			inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
				Name: "http_requests_in_flight",
				Help: "Requests being served (open streams included).",
			}),
		}
		m.reg.MustRegister(h.duration, h.inFlight)
		m.http = h
	})
	return m.http
}

// Begin counts a request in flight; call the returned func when it ends.
func (h *HTTP) Begin() (end func()) {
	h.inFlight.Inc()
	return h.inFlight.Dec
}

// Observe records one finished request. route is the matched route template ("/v1/analyses/:id")
// or "" for none (recorded as UnmatchedRoute); a method outside the standard set is recorded as
// "OTHER" (clients choose methods freely).
func (h *HTTP) Observe(route, method string, status int, d time.Duration) {
	if route == "" {
		route = UnmatchedRoute
	}
	h.duration.WithLabelValues(route, methodLabel(method), strconv.Itoa(statusLabel(status))).Observe(d.Seconds())
}

// methodLabel bounds the method label to the methods of RFC 9110 and PATCH.
func methodLabel(m string) string {
	switch m {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE":
		return m
	}
	return "OTHER"
}

// statusLabel bounds the status label to real codes (100–599); anything else is 0.
func statusLabel(s int) int {
	if s < 100 || s > 599 {
		return 0
	}
	return s
}
