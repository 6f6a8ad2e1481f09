package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/metrics"
	"github.com/finintelli/auth/internal/password"
	"github.com/finintelli/auth/internal/web"
)

// metricsServer serves the Prometheus metrics and the pprof profiles on METRICS_ADDR, a
// listener of its own, never the public port. A nil *metricsServer means metrics are off;
// its methods then do nothing and hand out nil observers.
type metricsServer struct {
	m      *metrics.Metrics
	ln     net.Listener
	server *http.Server
	log    *slog.Logger
	done   chan struct{} // closed when serve returns
}

// openMetrics listens on addr and starts serving there, so that a port already in use is
// reported at once. An empty addr turns metrics off: it returns nil and no error.
func openMetrics(addr string, log *slog.Logger) (*metricsServer, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on METRICS_ADDR %s: %w", addr, err)
	}

	m := metrics.New()
	ms := &metricsServer{m: m, ln: ln, log: log, done: make(chan struct{})}
	ms.server = &http.Server{
		Handler:           m.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		// Long enough for a CPU profile of the default 30 seconds, and up to 110.
		WriteTimeout: 2 * time.Minute,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go ms.serve()
	log.Info("metrics listening", "addr", ln.Addr().String())
	return ms, nil
}

func (ms *metricsServer) serve() {
	defer close(ms.done)
	err := ms.server.Serve(ms.ln)
	if !errors.Is(err, http.ErrServerClosed) {
		ms.log.Error("metrics server stopped", "err", err)
	}
}

// addr returns the address the metrics listener is bound to, or "" when metrics are off.
func (ms *metricsServer) addr() string {
	if ms == nil {
		return ""
	}
	return ms.ln.Addr().String()
}

// watch has the figures of the hasher, the store's pools and the alert sink read at each
// scrape. Any of them may be missing.
func (ms *metricsServer) watch(h *password.Hasher, store auth.Store, r *riskParts) {
	if ms == nil {
		return
	}
	if h != nil {
		ms.m.WatchPasswords(h)
	}
	if pools, ok := store.(metrics.PoolSource); ok {
		ms.m.WatchPools(pools)
	}
	if r != nil && r.alerts != nil {
		ms.m.WatchAlerts(r.alerts)
	}
}

// authObserver returns the observer for auth.Deps, nil when metrics are off.
func (ms *metricsServer) authObserver() auth.Observer {
	if ms == nil {
		return nil
	}
	return ms.m
}

// webObserver returns the observer for web.Config, nil when metrics are off.
func (ms *metricsServer) webObserver() web.Observer {
	if ms == nil {
		return nil
	}
	return ms.m
}

// passwordWait returns the callback for password.Config.OnWait, nil when metrics are off.
func (ms *metricsServer) passwordWait() func(time.Duration) {
	if ms == nil {
		return nil
	}
	return ms.m.PasswordWait
}

// shutdown lets scrapes in flight finish, until ctx ends.
func (ms *metricsServer) shutdown(ctx context.Context) error {
	if ms == nil {
		return nil
	}
	err := ms.server.Shutdown(ctx)
	<-ms.done
	if err != nil {
		return fmt.Errorf("metrics server: %w", err)
	}
	return nil
}

// close stops the metrics server at once.
func (ms *metricsServer) close() {
	if ms == nil {
		return
	}
	_ = ms.server.Close()
	<-ms.done
}

// MetricsAddr returns the address of the metrics listener, or "" when METRICS_ADDR is empty.
func (a *App) MetricsAddr() string { return a.metrics.addr() }
