package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/finintelli/auth/internal/alert"
	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/password"
)

// PasswordSource reports the load of a password hasher; *password.Hasher is one.
type PasswordSource interface {
	Stats() password.Stats
}

// PoolSource reports the figures of a store's connection pools; both stores are one.
type PoolSource interface {
	PoolStats() []auth.PoolStats
}

// AlertSource reports what happened to the alerts of a sink; *alert.Sink is one.
type AlertSource interface {
	Stats() alert.Stats
}

// funcCollector is a Collector of fixed descriptions whose values collect reads at each
// scrape.
type funcCollector struct {
	descs   []*prometheus.Desc
	collect func(ch chan<- prometheus.Metric)
}

func (c *funcCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

func (c *funcCollector) Collect(ch chan<- prometheus.Metric) { c.collect(ch) }

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(namespace+"_"+name, help, labels, nil)
}

// WatchPasswords reports the hasher's running and waiting operations at each scrape.
// Call it once.
func (m *Metrics) WatchPasswords(src PasswordSource) {
	running := desc("bcrypt_running", "Bcrypt operations running now.")
	waiting := desc("bcrypt_waiting", "Password operations queued for a bcrypt slot.")
	m.reg.MustRegister(&funcCollector{
		descs: []*prometheus.Desc{running, waiting},
		collect: func(ch chan<- prometheus.Metric) {
			st := src.Stats()
			ch <- prometheus.MustNewConstMetric(running, prometheus.GaugeValue,
				float64(st.Running))
			ch <- prometheus.MustNewConstMetric(waiting, prometheus.GaugeValue,
				float64(st.Waiting))
		},
	})
}

// WatchPools reports the figures of the store's connection pools at each scrape, labelled
// by pool. Call it once.
func (m *Metrics) WatchPools(src PoolSource) {
	gauges := []struct {
		d   *prometheus.Desc
		val func(auth.PoolStats) float64
	}{
		{desc("db_pool_acquired_connections", "Connections in use.", "pool"),
			func(s auth.PoolStats) float64 { return float64(s.Acquired) }},
		{desc("db_pool_idle_connections", "Open connections not in use.", "pool"),
			func(s auth.PoolStats) float64 { return float64(s.Idle) }},
		{desc("db_pool_total_connections", "Open connections.", "pool"),
			func(s auth.PoolStats) float64 { return float64(s.Total) }},
		{desc("db_pool_max_connections", "The most connections the pool opens.", "pool"),
			func(s auth.PoolStats) float64 { return float64(s.Max) }},
	}
	waits := desc("db_pool_waits_total",
		"Connection acquisitions that waited because none was free.", "pool")
	waited := desc("db_pool_wait_seconds_total",
		"Total time spent waiting for a free connection.", "pool")

	descs := []*prometheus.Desc{waits, waited}
	for _, g := range gauges {
		descs = append(descs, g.d)
	}
	m.reg.MustRegister(&funcCollector{descs: descs, collect: func(ch chan<- prometheus.Metric) {
		for _, s := range src.PoolStats() {
			for _, g := range gauges {
				ch <- prometheus.MustNewConstMetric(g.d, prometheus.GaugeValue, g.val(s),
					s.Pool)
			}
			ch <- prometheus.MustNewConstMetric(waits, prometheus.CounterValue,
				float64(s.Waits), s.Pool)
			ch <- prometheus.MustNewConstMetric(waited, prometheus.CounterValue,
				s.WaitDuration.Seconds(), s.Pool)
		}
	}})
}

// WatchAlerts reports the alert sink's counts at each scrape. Call it once.
func (m *Metrics) WatchAlerts(src AlertSource) {
	pending := desc("alerts_pending",
		"Alerts accepted and not yet delivered or given up: the queue and the one in flight.")
	counters := []struct {
		d   *prometheus.Desc
		val func(alert.Stats) int64
	}{
		{desc("alerts_queued_total", "Alerts accepted into the delivery queue."),
			func(s alert.Stats) int64 { return s.Queued }},
		{desc("alerts_sent_total", "Alerts the webhook accepted (2xx)."),
			func(s alert.Stats) int64 { return s.Sent }},
		{desc("alerts_failed_total", "Alerts given up after their last attempt."),
			func(s alert.Stats) int64 { return s.Failed }},
		{desc("alerts_dropped_total", "Alerts refused: queue full or shutting down."),
			func(s alert.Stats) int64 { return s.Dropped }},
		{desc("alert_retries_total", "Delivery attempts after the first."),
			func(s alert.Stats) int64 { return s.Retries }},
	}

	descs := []*prometheus.Desc{pending}
	for _, c := range counters {
		descs = append(descs, c.d)
	}
	m.reg.MustRegister(&funcCollector{descs: descs, collect: func(ch chan<- prometheus.Metric) {
		st := src.Stats()
		ch <- prometheus.MustNewConstMetric(pending, prometheus.GaugeValue,
			float64(max(st.Queued-st.Sent-st.Failed, 0)))
		for _, c := range counters {
			ch <- prometheus.MustNewConstMetric(c.d, prometheus.CounterValue,
				float64(c.val(st)))
		}
	}})
}
