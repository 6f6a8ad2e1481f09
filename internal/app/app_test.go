package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/app"
	"github.com/finintelli/auth/internal/config"
	"github.com/finintelli/auth/internal/testenv"
)

// start runs a server with the given settings on a free loopback port and returns its URL.
func start(t *testing.T, env map[string]string) string {
	t.Helper()
	base := map[string]string{
		"APP_ENV":     "development",
		"LISTEN_ADDR": "127.0.0.1:0",
		"DATA_DIR":    t.TempDir(),
		"JWT_SECRET":  "app-test-secret-0123456789abcdef-0123456789",
		"BCRYPT_COST": "4",
	}
	for k, v := range env {
		base[k] = v
	}
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := base[k]; return v, ok }, "")
	if err != nil {
		t.Fatalf("config: %v", err)
	}

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.Open(context.Background(), cfg, log)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + a.Addr()
}

func status(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// eventually polls the status of url until it is want, failing after a generous deadline.
func eventually(t *testing.T, url string, want int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := status(t, url)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: got %d, want %d (waited 30s)", url, got, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestServeOnSQLite(t *testing.T) {
	t.Parallel()
	base := start(t, nil)

	for _, path := range []string{"/healthz", "/readyz", "/", "/login"} {
		if got := status(t, base+path); got != http.StatusOK {
			t.Errorf("GET %s: got %d, want 200", path, got)
		}
	}
}

// TestReadyzFollowsDatabase cuts the connection to PostgreSQL: /readyz turns 503 while
// /healthz stays 200, and /readyz recovers by itself when the database is back.
func TestReadyzFollowsDatabase(t *testing.T) {
	t.Parallel()
	dbURL, err := url.Parse(testenv.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := testenv.NewProxy(t, dbURL.Host)
	dbURL.Host = proxy.Addr()
	base := start(t, map[string]string{"DATABASE_URL": dbURL.String()})

	eventually(t, base+"/readyz", http.StatusOK)
	proxy.Cut()
	eventually(t, base+"/readyz", http.StatusServiceUnavailable)
	if got := status(t, base+"/healthz"); got != http.StatusOK {
		t.Fatalf("healthz during the outage: got %d, want 200", got)
	}
	proxy.Restore()
	eventually(t, base+"/readyz", http.StatusOK)
}
