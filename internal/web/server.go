// Package web translates HTTP to calls of the auth service: handlers, middleware, cookies,
// pages and static files. The rules themselves live in package auth.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/clientip"
	"github.com/finintelli/auth/internal/csrf"
)

// Cookies are the attributes of the cookies the server sets.
type Cookies struct {
	Secure     bool
	Domain     string // empty: host-only
	SameSite   http.SameSite
	RefreshTTL time.Duration
}

// Config is what the web layer needs besides the service.
type Config struct {
	Cookies Cookies
	CSRF    *csrf.Protector
	IPs     *clientip.Resolver
	Logger  *slog.Logger
	// Ready reports whether the server can serve requests (the database answers).
	Ready func(ctx context.Context) error
	// Observer, when set, is told the route, status and duration of every request.
	Observer Observer
}

// Server is the HTTP face of the auth service.
type Server struct {
	svc     *auth.Service
	cookies Cookies
	csrf    *csrf.Protector
	ips     *clientip.Resolver
	log     *slog.Logger
	ready   func(ctx context.Context) error
	mux     *routeMux
}

// New returns the server's handler with every route and middleware in place.
func New(svc *auth.Service, cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{svc: svc, cookies: cfg.Cookies, csrf: cfg.CSRF, ips: cfg.IPs,
		log: cfg.Logger, ready: cfg.Ready, mux: newRouteMux()}
	s.routes()

	var h http.Handler = http.HandlerFunc(s.dispatch)
	h = withBodyLimit(h)
	h = withSecurityHeaders(cfg.Cookies.Secure, h)
	h = withRecovery(s.log, h)
	if cfg.Observer != nil {
		h = withObserver(cfg.Observer, h)
	}
	return withAccessLog(s.log, h)
}

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("GET /readyz", s.readyz)
	m.HandleFunc("GET /openapi.json", serveOpenAPI)

	m.HandleFunc("GET /{$}", s.page("home", "Sign-in for your apps"))
	m.HandleFunc("GET /login", s.page("login", "Log in"))
	m.HandleFunc("GET /register", s.page("register", "Create an account"))
	m.HandleFunc("GET /dashboard", s.page("dashboard", "Dashboard"))
	m.Handle("GET /static/", staticFiles())
	m.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
	})

	m.Handle("GET /auth/csrf", withNoStore(http.HandlerFunc(s.csrfToken)))
	m.Handle("POST /auth/register", s.authRoute(s.register))
	m.Handle("POST /auth/login", s.authRoute(s.login))
	m.Handle("POST /auth/refresh", s.authRoute(s.refresh))
	m.Handle("POST /auth/logout", s.authRoute(s.logout))

	m.Handle("GET /api/me", withNoStore(s.bearer(s.me)))
	s.accountRoutes()
}

// authRoute wraps a state-changing cookie route: CSRF protection and no caching.
func (s *Server) authRoute(h http.HandlerFunc) http.Handler {
	return withNoStore(s.csrf.Protect(h))
}

// dispatch routes the request, answering unknown paths and wrong methods with JSON errors
// (the mux's own answers are plain text).
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	h, pattern := s.mux.Handler(r)
	if pattern != "" {
		// The mux itself, not h, serves the request, so that it sets the path values
		// ({id}) that Handler leaves out.
		s.mux.ServeHTTP(w, r)
		return
	}

	probe := &headerProbe{header: http.Header{}}
	h.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", probe.header.Get("Allow"))
		writeDetail(w, http.StatusMethodNotAllowed, "Method not allowed")
		return
	}
	writeDetail(w, http.StatusNotFound, "Not found")
}

// headerProbe records the status and headers of the mux's built-in error handlers.
type headerProbe struct {
	header http.Header
	status int
}

func (p *headerProbe) Header() http.Header         { return p.header }
func (p *headerProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *headerProbe) WriteHeader(status int)      { p.status = status }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()

	if s.ready != nil {
		if err := s.ready(ctx); err != nil {
			s.log.Warn("not ready", "err", err)
			w.Header().Set("Retry-After", "5")
			writeDetail(w, http.StatusServiceUnavailable, "Database unavailable")
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
