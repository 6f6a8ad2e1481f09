// Package app wires the parts of the server together: configuration, store, service, rate
// limiter and HTTP server. It holds no rules of its own.
package app

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/clientip"
	"github.com/finintelli/auth/internal/config"
	"github.com/finintelli/auth/internal/csrf"
	"github.com/finintelli/auth/internal/password"
	"github.com/finintelli/auth/internal/ratelimit"
	"github.com/finintelli/auth/internal/token"
	"github.com/finintelli/auth/internal/web"
)

// Issuer is the "iss" claim of the access tokens.
const Issuer = "finintelli"

// App is a running server.
type App struct {
	cfg     *config.Config
	log     *slog.Logger
	store   auth.Store
	redis   *redis.Client
	ln      net.Listener
	server  *http.Server
	Service *auth.Service

	housekeeping *housekeeper
	risk         *riskParts
	metrics      *metricsServer // nil when METRICS_ADDR is empty
}

// Open opens the store (migrating it), builds the service and listens on the configured
// address, so that a port already in use is reported here and not later.
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger) (*App, error) {
	a := &App{cfg: cfg, log: log}
	store, err := OpenStore(ctx, cfg, true)
	if err != nil {
		return nil, err
	}
	a.store = store
	if a.metrics, err = openMetrics(cfg.MetricsAddr, log); err != nil {
		a.Close()
		return nil, err
	}

	handler, err := a.build()
	if err != nil {
		a.Close()
		return nil, err
	}

	a.ln, err = net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("listen on %s: %w", cfg.ListenAddr, err)
	}
	a.server = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	a.housekeeping = startHousekeeping(a.Service, cfg.Housekeeping, log)
	return a, nil
}

// build makes the service and its HTTP handler.
func (a *App) build() (http.Handler, error) {
	cfg := a.cfg
	secret := []byte(cfg.JWTSecret)
	issuer, err := token.NewIssuer(token.Config{Alg: cfg.JWTAlg, Secret: secret,
		Issuer: Issuer, TTL: cfg.AccessTTL, Leeway: 30 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("access tokens: %w", err)
	}
	csrfKey, err := hkdf.Key(sha256.New, secret, nil, "finintelli csrf v1", 32)
	if err != nil {
		return nil, fmt.Errorf("derive csrf key: %w", err)
	}
	protector, err := csrf.New(csrf.Config{Key: csrfKey, Secure: cfg.CookieSecure,
		Domain: cfg.CookieDomain, SameSite: cfg.CookieSameSite,
		TrustedOrigins: cfg.AllowedOrigins, Deny: web.CSRFDenied(a.metrics.webObserver())})
	if err != nil {
		return nil, fmt.Errorf("csrf: %w", err)
	}

	if a.risk, err = openRisk(cfg, a.log); err != nil {
		return nil, err
	}
	hasher := password.New(password.Config{Cost: cfg.BcryptCost,
		MaxConcurrent: cfg.BcryptConcurrency, MaxQueue: cfg.BcryptQueue,
		MaxWait: bcryptWait(cfg.BcryptMaxWait), OnWait: a.metrics.passwordWait()})
	a.metrics.watch(hasher, a.store, a.risk)
	svc := auth.NewService(auth.Deps{
		Store:         a.store,
		Passwords:     hasher,
		AccessTokens:  issuer,
		RefreshTokens: token.NewRefresher(secret),
		DeviceTokens:  token.NewDeviceTokens(secret),
		Limiter:       a.limiter(),
		Geo:           a.risk.geoReader(),
		Alerts:        a.risk.alertSink(),
		Observer:      a.metrics.authObserver(),
		Logger:        a.log,
	}, auth.Config{AccessTTL: cfg.AccessTTL, RefreshTTL: cfg.RefreshTTL,
		ReuseGrace: cfg.ReuseGrace, Limits: cfg.Limits, Risk: cfg.Risk.Engine})
	a.Service = svc

	return web.New(svc, web.Config{
		Cookies: web.Cookies{Secure: cfg.CookieSecure, Domain: cfg.CookieDomain,
			SameSite: cfg.CookieSameSite, RefreshTTL: cfg.RefreshTTL},
		CSRF:     protector,
		IPs:      clientip.New(cfg.TrustedProxies),
		Logger:   a.log,
		Ready:    a.store.Ping,
		Observer: a.metrics.webObserver(),
	}), nil
}

// limiter returns the shared Redis limiter when REDIS_URL is set, else an in-memory one.
func (a *App) limiter() auth.Limiter {
	if a.cfg.RedisURL == "" {
		return ratelimit.NewMemory()
	}
	opts, err := redis.ParseURL(a.cfg.RedisURL)
	if err != nil {
		a.log.Warn("REDIS_URL cannot be parsed; using in-memory rate limits")
		return ratelimit.NewMemory()
	}
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = time.Second, time.Second, time.Second
	quietRedis(a.log)
	a.redis = redis.NewClient(opts)
	return ratelimit.NewRedis(a.redis, "finintelli:rl:", a.log)
}

// Addr returns the address the server listens on.
func (a *App) Addr() string { return a.ln.Addr().String() }

// Serve serves until Shutdown is called; it then returns nil.
func (a *App) Serve() error {
	err := a.server.Serve(a.ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown lets in-flight requests and scrapes finish (until ctx ends), then closes the store.
func (a *App) Shutdown(ctx context.Context) error {
	err := errors.Join(a.server.Shutdown(ctx), a.metrics.shutdown(ctx))
	a.Close()
	return err
}

// Close stops the metrics listener and releases the store and the Redis client.
func (a *App) Close() {
	a.metrics.close()
	a.housekeeping.Stop()
	if a.redis != nil {
		_ = a.redis.Close()
	}
	a.risk.close()
	if a.store != nil {
		_ = a.store.Close()
	}
}

// bcryptWait turns BCRYPT_MAX_WAIT_MS into the hasher's setting, where 0 means no bound.
func bcryptWait(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}
