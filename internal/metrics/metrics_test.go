package metrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/finintelli/auth/internal/alert"
	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/metrics"
	"github.com/finintelli/auth/internal/password"
)

// sample finds the series of the family name whose labels are exactly labels
// ("name=value" pairs, in any order), or nil.
func sample(t *testing.T, g prometheus.Gatherer, name string, labels ...string) *dto.Metric {
	t.Helper()
	families, err := g.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if hasLabels(m, labels) {
				return m
			}
		}
	}
	return nil
}

func hasLabels(m *dto.Metric, labels []string) bool {
	if len(m.GetLabel()) != len(labels) {
		return false
	}
	for _, l := range m.GetLabel() {
		found := false
		for _, want := range labels {
			found = found || want == l.GetName()+"="+l.GetValue()
		}
		if !found {
			return false
		}
	}
	return true
}

// value returns the value of a counter or gauge series, failing when there is none.
func value(t *testing.T, g prometheus.Gatherer, name string, labels ...string) float64 {
	t.Helper()
	m := sample(t, g, name, labels...)
	switch {
	case m == nil:
		t.Fatalf("%s%v: no such series", name, labels)
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	t.Fatalf("%s%v: neither a counter nor a gauge", name, labels)
	return 0
}

func TestCounters(t *testing.T) {
	m := metrics.New()
	g := m.Gatherer()

	m.Login(auth.OutcomeSuccess)
	m.Login(auth.OutcomeInvalidCredentials)
	m.Login(auth.OutcomeInvalidCredentials)
	m.Refresh(auth.OutcomeRotated)
	m.Refresh(auth.OutcomeGraceHit)
	m.Refresh(auth.OutcomeReplay)
	m.Refresh(auth.OutcomeReplay)
	m.Refresh(auth.OutcomeRejected)
	m.CSRFRejected("token")
	m.RateLimited("login_ip")
	m.RateLimited("login_ip")
	m.RateLimited("register_ip")

	tests := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"finintelli_logins_total", []string{"outcome=success"}, 1},
		{"finintelli_logins_total", []string{"outcome=invalid_credentials"}, 2},
		{"finintelli_logins_total", []string{"outcome=rate_limited"}, 0},
		{"finintelli_logins_total", []string{"outcome=unavailable"}, 0},
		{"finintelli_logins_total", []string{"outcome=error"}, 0},
		{"finintelli_refreshes_total", []string{"outcome=rotated"}, 1},
		{"finintelli_refreshes_total", []string{"outcome=grace_hit"}, 1},
		{"finintelli_refreshes_total", []string{"outcome=replay"}, 2},
		{"finintelli_refreshes_total", []string{"outcome=rejected"}, 1},
		{"finintelli_refresh_token_reuse_total", []string{"cause=grace_hit"}, 1},
		{"finintelli_refresh_token_reuse_total", []string{"cause=replay"}, 2},
		{"finintelli_csrf_rejections_total", []string{"reason=token"}, 1},
		{"finintelli_csrf_rejections_total", []string{"reason=cross_origin"}, 0},
		{"finintelli_rate_limit_rejections_total", []string{"rule=login_ip"}, 2},
		{"finintelli_rate_limit_rejections_total", []string{"rule=register_ip"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name+tt.labels[0], func(t *testing.T) {
			if got := value(t, g, tt.name, tt.labels...); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if m := sample(t, g, "finintelli_refresh_token_reuse_total", "cause=rotated"); m != nil {
		t.Errorf("a rotation was counted as reuse: %v", m)
	}
}

func TestHistograms(t *testing.T) {
	m := metrics.New()
	g := m.Gatherer()

	m.Request("POST /auth/login", 200, 30*time.Millisecond)
	m.Request("POST /auth/login", 200, 70*time.Millisecond)
	m.Request("POST /auth/login", 503, 2*time.Millisecond)
	m.PasswordWait(0)
	m.PasswordWait(300 * time.Millisecond)

	tests := []struct {
		name      string
		labels    []string
		wantCount uint64
		wantSum   float64
	}{
		{"finintelli_http_request_duration_seconds",
			[]string{"route=POST /auth/login", "code=200"}, 2, 0.1},
		{"finintelli_http_request_duration_seconds",
			[]string{"route=POST /auth/login", "code=503"}, 1, 0.002},
		{"finintelli_bcrypt_wait_seconds", nil, 2, 0.3},
	}
	for _, tt := range tests {
		t.Run(tt.name+strings.Join(tt.labels, ","), func(t *testing.T) {
			s := sample(t, g, tt.name, tt.labels...)
			if s == nil || s.Histogram == nil {
				t.Fatalf("no histogram series")
			}
			h := s.Histogram
			if h.GetSampleCount() != tt.wantCount || !near(h.GetSampleSum(), tt.wantSum) {
				t.Errorf("got count %d sum %v, want %d and %v", h.GetSampleCount(),
					h.GetSampleSum(), tt.wantCount, tt.wantSum)
			}
		})
	}
}

func near(a, b float64) bool {
	d := a - b
	return d < 1e-9 && d > -1e-9
}

type fakePasswords password.Stats

func (f fakePasswords) Stats() password.Stats { return password.Stats(f) }

type fakePools []auth.PoolStats

func (f fakePools) PoolStats() []auth.PoolStats { return f }

type fakeAlerts alert.Stats

func (f fakeAlerts) Stats() alert.Stats { return alert.Stats(f) }

func TestSources(t *testing.T) {
	m := metrics.New()
	g := m.Gatherer()
	m.WatchPasswords(fakePasswords{Running: 2, Waiting: 5})
	m.WatchPools(fakePools{
		{Pool: "sqlite_write", Acquired: 1, Idle: 0, Total: 1, Max: 1, Waits: 7,
			WaitDuration: 1500 * time.Millisecond},
		{Pool: "sqlite_read", Acquired: 0, Idle: 3, Total: 3, Max: 4},
	})
	m.WatchAlerts(fakeAlerts{Queued: 10, Sent: 6, Failed: 1, Dropped: 4, Retries: 3})

	tests := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"finintelli_bcrypt_running", nil, 2},
		{"finintelli_bcrypt_waiting", nil, 5},
		{"finintelli_db_pool_acquired_connections", []string{"pool=sqlite_write"}, 1},
		{"finintelli_db_pool_idle_connections", []string{"pool=sqlite_read"}, 3},
		{"finintelli_db_pool_total_connections", []string{"pool=sqlite_read"}, 3},
		{"finintelli_db_pool_max_connections", []string{"pool=sqlite_read"}, 4},
		{"finintelli_db_pool_waits_total", []string{"pool=sqlite_write"}, 7},
		{"finintelli_db_pool_wait_seconds_total", []string{"pool=sqlite_write"}, 1.5},
		{"finintelli_db_pool_waits_total", []string{"pool=sqlite_read"}, 0},
		{"finintelli_alerts_pending", nil, 3},
		{"finintelli_alerts_queued_total", nil, 10},
		{"finintelli_alerts_sent_total", nil, 6},
		{"finintelli_alerts_failed_total", nil, 1},
		{"finintelli_alerts_dropped_total", nil, 4},
		{"finintelli_alert_retries_total", nil, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name+strings.Join(tt.labels, ","), func(t *testing.T) {
			if got := value(t, g, tt.name, tt.labels...); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestSourcesReadAtScrape checks that the figures are read anew at each scrape.
func TestSourcesReadAtScrape(t *testing.T) {
	m := metrics.New()
	h := password.New(password.Config{Cost: 4, OnWait: m.PasswordWait})
	m.WatchPasswords(h)

	if got := value(t, m.Gatherer(), "finintelli_bcrypt_running"); got != 0 {
		t.Errorf("running when idle: got %v, want 0", got)
	}
	if _, err := h.Hash(t.Context(), "pw"); err != nil {
		t.Fatal(err)
	}
	s := sample(t, m.Gatherer(), "finintelli_bcrypt_wait_seconds")
	if got := s.GetHistogram().GetSampleCount(); got != 1 {
		t.Errorf("waits after one hash: got %d, want 1", got)
	}
}

func TestHandler(t *testing.T) {
	m := metrics.New()
	m.Login(auth.OutcomeSuccess)
	m.Request("GET /healthz", 200, time.Millisecond)
	srv := httptest.NewServer(m.Handler())
	t.Cleanup(srv.Close)

	tests := []struct {
		method, path string
		wantStatus   int
		wantBody     []string
	}{
		{"GET", "/metrics", 200, []string{`finintelli_logins_total{outcome="success"} 1`,
			`finintelli_http_request_duration_seconds_count{code="200",route="GET /healthz"} 1`,
			"go_goroutines ", "process_resident_memory_bytes ", "go_build_info{"}},
		{"GET", "/debug/pprof/", 200, []string{"goroutine"}},
		{"GET", "/debug/pprof/goroutine?debug=1", 200, []string{"goroutine profile"}},
		{"POST", "/metrics", 405, nil},
		{"GET", "/", 404, nil},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status: got %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			for _, want := range tt.wantBody {
				if !strings.Contains(string(body), want) {
					t.Errorf("body lacks %q", want)
				}
			}
		})
	}
}
