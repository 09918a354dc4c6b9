package metrics

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// Pool registers a collector reading p.Stat() at each scrape (nothing is sampled in between):
//
//	db_pool_max_conns, db_pool_total_conns, db_pool_acquired_conns, db_pool_idle_conns,
//	db_pool_constructing_conns                                                      gauges
//	db_pool_acquires_total, db_pool_empty_acquires_total, db_pool_canceled_acquires_total,
//	db_pool_acquire_wait_seconds_total, db_pool_new_conns_total                       counters
//
// Register one pool per process (the application's); a second registration fails.
func (m *Metrics) Pool(p *pgxpool.Pool) error {
	return m.reg.Register(poolCollector{p: p})
}

type poolCollector struct{ p *pgxpool.Pool }

var (
	poolMax          = prometheus.NewDesc("db_pool_max_conns", "Maximum size of the database pool.", nil, nil)
	poolTotal        = prometheus.NewDesc("db_pool_total_conns", "Connections in the database pool (acquired, idle and being opened).", nil, nil)
	poolAcquired     = prometheus.NewDesc("db_pool_acquired_conns", "Database connections in use.", nil, nil)
	poolIdle         = prometheus.NewDesc("db_pool_idle_conns", "Idle database connections.", nil, nil)
	poolConstructing = prometheus.NewDesc("db_pool_constructing_conns", "Database connections being opened.", nil, nil)
	poolAcquires     = prometheus.NewDesc("db_pool_acquires_total", "Successful acquisitions of a database connection.", nil, nil)
	poolEmpty        = prometheus.NewDesc("db_pool_empty_acquires_total", "Acquisitions that had to wait for a connection (the pool was empty).", nil, nil)
	poolCanceled     = prometheus.NewDesc("db_pool_canceled_acquires_total", "Acquisitions abandoned by their caller's context.", nil, nil)
	poolWait         = prometheus.NewDesc("db_pool_acquire_wait_seconds_total", "Total time spent acquiring database connections.", nil, nil)
	poolNew          = prometheus.NewDesc("db_pool_new_conns_total", "Database connections opened.", nil, nil)
)

func (poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolMax, poolTotal, poolAcquired, poolIdle, poolConstructing, poolAcquires, poolEmpty, poolCanceled, poolWait, poolNew} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.p.Stat()
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge(poolMax, float64(s.MaxConns()))
	gauge(poolTotal, float64(s.TotalConns()))
	gauge(poolAcquired, float64(s.AcquiredConns()))
	gauge(poolIdle, float64(s.IdleConns()))
	gauge(poolConstructing, float64(s.ConstructingConns()))
	counter(poolAcquires, float64(s.AcquireCount()))
	counter(poolEmpty, float64(s.EmptyAcquireCount()))
	counter(poolCanceled, float64(s.CanceledAcquireCount()))
	counter(poolWait, s.AcquireDuration().Seconds())
	counter(poolNew, float64(s.NewConnsCount()))
}
