package failure_test

import (
	"context"
	"log/slog"
	"maps"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/app"
	"github.com/finintelli/auth/internal/config"
)

// startApp runs a server inside the test process with settings(extra), on a free loopback
// port and a SQLite file of its own unless extra names a database, and returns its URL. Its
// log is printed if the test fails. Tests that need no process of their own use it: it
// starts faster and runs under the race detector.
func startApp(t *testing.T, extra map[string]string) string {
	t.Helper()
	env := settings(map[string]string{"LISTEN_ADDR": "127.0.0.1:0", "DATA_DIR": t.TempDir()})
	maps.Copy(env, extra)
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok }, "")
	if err != nil {
		t.Fatalf("config: %v", err)
	}

	out := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(out, nil))
	a, err := app.Open(context.Background(), cfg, log)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve() }()

	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", out)
		}
	})
	return "http://" + a.Addr()
}
