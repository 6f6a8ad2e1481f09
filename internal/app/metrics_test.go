package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/app"
	"github.com/finintelli/auth/internal/config"
)

// openApp opens and serves an App with the given settings on free loopback ports; stop
// shuts it down and reports any error.
func openApp(t *testing.T, env map[string]string) (a *app.App, stop func()) {
	t.Helper()
	base := map[string]string{
		"APP_ENV":     "development",
		"LISTEN_ADDR": "127.0.0.1:0",
		"DATA_DIR":    t.TempDir(),
		"JWT_SECRET":  "app-metrics-secret-0123456789abcdef-01234567",
		"BCRYPT_COST": "4",
	}
	for k, v := range env {
		base[k] = v
	}
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := base[k]; return v, ok }, "")
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	a, err = app.Open(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("open: %v", err)
	}

	done := make(chan error, 1)
	go func() { done <- a.Serve() }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
	t.Cleanup(stop)
	return a, stop
}

// browser is a client with a cookie jar that speaks the CSRF protocol of the public port.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	var body struct {
		Token string `json:"csrf_token"`
	}
	resp := b.do("GET", "/auth/csrf", "", false)
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Token == "" {
		t.Fatalf("csrf token: %q, %v", body.Token, err)
	}
	resp.Body.Close()
	b.csrf = body.Token
	return b
}

// do sends a request with a JSON body, with the CSRF header when withToken is set.
func (b *browser) do(method, path, body string, withToken bool) *http.Response {
	b.t.Helper()
	req, err := http.NewRequest(method, b.base+path, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if withToken {
		req.Header.Set("X-CSRF-Token", b.csrf)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// status sends a request and returns its status.
func (b *browser) status(method, path, body string, withToken bool) int {
	b.t.Helper()
	resp := b.do(method, path, body, withToken)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// scrape returns the samples of the metrics page at url, keyed by series
// (`name{label="value",...}`, labels sorted by name as the exposition format writes them).
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: got %d, want 200", resp.StatusCode)
	}

	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		i := strings.LastIndexByte(line, ' ')
		if strings.HasPrefix(line, "#") || i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("scrape: bad line %q", line)
		}
		out[line[:i]] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("scrape: %v", err)
	}
	return out
}

// TestMetrics drives the public port through a register, logins, a refresh and refusals,
// then checks what the metrics listener shows, and that the public port serves neither
// the metrics nor the profiles.
func TestMetrics(t *testing.T) {
	t.Parallel()
	a, stop := openApp(t, map[string]string{"METRICS_ADDR": "localhost:0"})
	metricsURL := "http://" + a.MetricsAddr()
	b := newBrowser(t, "http://"+a.Addr())

	const account = `{"username":"metered","email":"metered@example.com",` +
		`"password":"metered horse battery staple 9"}`
	steps := []struct {
		method, path, body string
		withToken          bool
		want               int
	}{
		{"POST", "/auth/register", account, true, http.StatusCreated},
		{"POST", "/auth/login", account, true, http.StatusOK},
		{"POST", "/auth/login", `{"username":"metered","password":"wrong"}`, true,
			http.StatusUnauthorized},
		{"POST", "/auth/refresh", "", true, http.StatusOK},
		{"POST", "/auth/login", account, false, http.StatusForbidden},
		{"GET", "/no/such/page", "", false, http.StatusNotFound},
		{"GET", "/metrics", "", false, http.StatusNotFound},
		{"GET", "/debug/pprof/", "", false, http.StatusNotFound},
	}
	for _, st := range steps {
		if got := b.status(st.method, st.path, st.body, st.withToken); got != st.want {
			t.Fatalf("%s %s: got %d, want %d", st.method, st.path, got, st.want)
		}
	}

	got := scrape(t, metricsURL+"/metrics")
	count := func(code, route string) string {
		return `finintelli_http_request_duration_seconds_count{code="` + code +
			`",route="` + route + `"}`
	}
	want := map[string]float64{
		`finintelli_logins_total{outcome="success"}`:                   1,
		`finintelli_logins_total{outcome="invalid_credentials"}`:       1,
		`finintelli_logins_total{outcome="rate_limited"}`:              0,
		`finintelli_refreshes_total{outcome="rotated"}`:                1,
		`finintelli_refresh_token_reuse_total{cause="replay"}`:         0,
		`finintelli_csrf_rejections_total{reason="token"}`:             1,
		count("201", "POST /auth/register"):                            1,
		count("200", "POST /auth/login"):                               1,
		count("401", "POST /auth/login"):                               1,
		count("403", "POST /auth/login"):                               1,
		count("200", "GET /auth/csrf"):                                 1,
		count("404", "unmatched"):                                      3,
		`finintelli_bcrypt_running`:                                    0,
		`finintelli_bcrypt_waiting`:                                    0,
		`finintelli_bcrypt_wait_seconds_count`:                         3,
		`finintelli_db_pool_max_connections{pool="sqlite_write"}`:      1,
		`finintelli_db_pool_acquired_connections{pool="sqlite_write"}`: 0,
		`finintelli_alerts_dropped_total`:                              0,
	}
	for series, w := range want {
		if v, ok := got[series]; !ok || v != w {
			t.Errorf("%s: got %v (present %v), want %v", series, v, ok, w)
		}
	}
	for series := range got {
		if strings.Contains(series, `route="/`) {
			t.Errorf("a raw path as route: %s", series)
		}
	}
	for _, series := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if _, ok := got[series]; !ok {
			t.Errorf("%s missing", series)
		}
	}
	resp, err := http.Get(metricsURL + "/debug/pprof/cmdline")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("pprof on the metrics listener: got %v, %v; want 200", resp, err)
	}
	if resp != nil {
		resp.Body.Close()
	}

	stop()
	if _, err := http.Get(metricsURL + "/metrics"); err == nil {
		t.Error("the metrics listener still answers after Shutdown")
	}
}

// TestMetricsOff checks that without METRICS_ADDR no metrics listener is opened.
func TestMetricsOff(t *testing.T) {
	t.Parallel()
	a, _ := openApp(t, nil)
	if got := a.MetricsAddr(); got != "" {
		t.Errorf("MetricsAddr: got %q, want \"\"", got)
	}
}
