// Package metrics keeps the server's Prometheus metrics in a registry of its own and serves
// them, with the Go runtime profiles of net/http/pprof, for a listener kept apart from the
// public port.
//
// Metrics implements the observers of the other packages (auth.Observer, web.Observer and
// password.Config.OnWait), so that they need not import Prometheus, and reads the figures
// of the password hasher, the store's connection pools and the alert sink at each scrape.
package metrics

import (
	"net/http"
	"net/http/pprof"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/web"
)

// namespace prefixes the name of every metric of the server.
const namespace = "finintelli"

// latencyBuckets are the bounds, in seconds, of the request latency histogram: from a
// millisecond (a health check) to ten seconds (a login that queued for bcrypt).
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// waitBuckets are the bounds, in seconds, of the bcrypt wait histogram. A wait of zero (a
// slot was free) falls in the first.
var waitBuckets = []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}

// Metrics holds the collectors of the server. It is safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	requests    *prometheus.HistogramVec
	logins      *prometheus.CounterVec
	refreshes   *prometheus.CounterVec
	reuse       *prometheus.CounterVec
	csrf        *prometheus.CounterVec
	rateLimited *prometheus.CounterVec
	bcryptWait  prometheus.Histogram
}

var (
	_ auth.Observer = (*Metrics)(nil)
	_ web.Observer  = (*Metrics)(nil)
)

// New returns Metrics with every collector registered, the Go runtime and process
// collectors included. The series of known outcomes start at zero, so that rates and
// alert rules work before the first event.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern and status code.",
			Buckets: latencyBuckets,
		}, []string{"route", "code"}),
		logins: counterVec("logins_total", "Login attempts by outcome.", "outcome"),
		refreshes: counterVec("refreshes_total",
			"Refresh-token presentations by outcome.", "outcome"),
		reuse: counterVec("refresh_token_reuse_total",
			"Rotated refresh tokens presented again, by cause: grace_hit (a retry within "+
				"the grace window, answered) or replay (the session was revoked).", "cause"),
		csrf: counterVec("csrf_rejections_total",
			"Requests refused by the CSRF check, by reason.", "reason"),
		rateLimited: counterVec("rate_limit_rejections_total",
			"Attempts refused by a rate limit, by rule.", "rule"),
		bcryptWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Name: "bcrypt_wait_seconds",
			Help:    "Time password operations waited for a bcrypt slot.",
			Buckets: waitBuckets,
		}),
	}

	m.reg.MustRegister(m.requests, m.logins, m.refreshes, m.reuse, m.csrf, m.rateLimited,
		m.bcryptWait)
	m.reg.MustRegister(collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector())
	m.initialise()
	return m
}

func counterVec(name, help, label string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name,
		Help: help}, []string{label})
}

// initialise creates the series of every known label value at zero.
func (m *Metrics) initialise() {
	for _, o := range []string{auth.OutcomeSuccess, auth.OutcomeInvalidCredentials,
		auth.OutcomeInvalidRequest, auth.OutcomeRateLimited, auth.OutcomeUnavailable,
		auth.OutcomeError} {
		m.logins.WithLabelValues(o)
	}
	for _, o := range []string{auth.OutcomeRotated, auth.OutcomeGraceHit, auth.OutcomeReplay,
		auth.OutcomeRejected, auth.OutcomeRateLimited, auth.OutcomeUnavailable,
		auth.OutcomeError} {
		m.refreshes.WithLabelValues(o)
	}
	m.reuse.WithLabelValues(auth.OutcomeGraceHit)
	m.reuse.WithLabelValues(auth.OutcomeReplay)
	m.csrf.WithLabelValues(web.CSRFCrossOrigin)
	m.csrf.WithLabelValues(web.CSRFToken)
}

// Gatherer returns the registry, for tests and for other exporters.
func (m *Metrics) Gatherer() prometheus.Gatherer {
	return m.reg
}

// Handler serves the metrics at GET /metrics and the runtime profiles of net/http/pprof
// under /debug/pprof/. Mount it only on a listener that the public cannot reach: the
// profiles show the program's internals, and a CPU profile costs CPU while it runs.
// (Importing net/http/pprof also registers its handlers on http.DefaultServeMux, which the
// server never serves.)
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		Registry:      m.reg, // counts the handler's own errors
		ErrorHandling: promhttp.ContinueOnError,
	}))
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
