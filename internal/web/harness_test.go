package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/clientip"
	"github.com/finintelli/auth/internal/csrf"
	"github.com/finintelli/auth/internal/password"
	"github.com/finintelli/auth/internal/store/postgres"
	"github.com/finintelli/auth/internal/store/sqlite"
	"github.com/finintelli/auth/internal/testenv"
	"github.com/finintelli/auth/internal/token"
	"github.com/finintelli/auth/internal/web"
)

// testSecret is the server secret of the test servers.
var testSecret = []byte("web-test-secret-0123456789abcdef-0123456789")

// backends opens a fresh store of each kind for a test.
var backends = map[string]func(t *testing.T) auth.Store{
	"sqlite": func(t *testing.T) auth.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	},
	"postgres": func(t *testing.T) auth.Store {
		s, err := postgres.Open(context.Background(), testenv.Postgres(t))
		if err != nil {
			t.Fatalf("open postgres: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	},
}

// forEachStore runs fn as a subtest on each backend.
func forEachStore(t *testing.T, fn func(t *testing.T, open func(t *testing.T) auth.Store)) {
	for name, open := range backends {
		t.Run(name, func(t *testing.T) { fn(t, open) })
	}
}

// clock is a settable time source shared by the service and the token issuer.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// options change a test server's settings.
type options struct {
	grace   time.Duration
	limits  auth.Limits
	limiter auth.Limiter
	origins []string
	secure  bool // Secure cookies, and HSTS with them

	// passwords configures the hasher; nil means cost 4 with the default bounds.
	passwords *password.Config
	// noProxy trusts no proxy, so that the client is always the TCP peer; by default
	// 127.0.0.1 is a trusted proxy and X-Forwarded-For names the client.
	noProxy bool
	// logs receives the server's log lines; nil discards them.
	logs io.Writer
}

// env is a test server with its store and clock.
type env struct {
	t     *testing.T
	srv   *httptest.Server
	store auth.Store
	clock *clock
	svc   *auth.Service
}

func newEnv(t *testing.T, store auth.Store, o options) *env {
	t.Helper()
	clk := &clock{now: time.Now().UTC()}
	issuer, err := token.NewIssuer(token.Config{Alg: "HS256", Secret: testSecret,
		Issuer: "finintelli", TTL: 15 * time.Minute, Leeway: 30 * time.Second, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	protector, err := csrf.New(csrf.Config{Key: testSecret, SameSite: http.SameSiteLaxMode,
		TrustedOrigins: o.origins, Secure: o.secure})
	if err != nil {
		t.Fatal(err)
	}
	logs := o.logs
	if logs == nil {
		logs = io.Discard
	}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	hashing := password.Config{Cost: 4}
	if o.passwords != nil {
		hashing = *o.passwords
	}
	proxies := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	if o.noProxy {
		proxies = nil
	}
	svc := auth.NewService(auth.Deps{
		Store:         store,
		Passwords:     password.New(hashing),
		AccessTokens:  issuer,
		RefreshTokens: token.NewRefresher(testSecret),
		DeviceTokens:  token.NewDeviceTokens(testSecret),
		Limiter:       o.limiter,
		Logger:        log,
		Now:           clk.Now,
	}, auth.Config{ReuseGrace: o.grace, Limits: o.limits})

	h := web.New(svc, web.Config{
		Cookies: web.Cookies{SameSite: http.SameSiteLaxMode, RefreshTTL: 14 * 24 * time.Hour,
			Secure: o.secure},
		CSRF:   protector,
		IPs:    clientip.New(proxies),
		Logger: log,
		Ready:  store.Ping,
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, store: store, clock: clk, svc: svc}
}

// lastIP numbers the client addresses given to test browsers, so that per-IP limits of one
// test never affect another.
var lastIP atomic.Uint32

// nextIP returns a fresh address in 198.18.0.0/15, the range set aside for tests.
func nextIP() string {
	n := lastIP.Add(1)
	return fmt.Sprintf("198.18.%d.%d", (n>>8)&0xff, n&0xff)
}

// browser is an HTTP client with its own cookie jar, acting like one browser profile.
type browser struct {
	t    *testing.T
	env  *env
	http *http.Client
	ip   string // sent as X-Forwarded-For, so that per-IP limits stay per test
}

func (e *env) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	return &browser{t: e.t, env: e, http: c, ip: nextIP()}
}

// response is a finished response with its body read.
type response struct {
	*http.Response
	body []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response %d is not a JSON object: %v: %q", r.StatusCode, err, r.body)
	}
	return m
}

func (r response) detail(t *testing.T) string {
	t.Helper()
	d, _ := r.json(t)["detail"].(string)
	return d
}

// do sends a request; header values set to "" are removed.
func (b *browser) do(method, path, contentType, body string, hdr map[string]string) response {
	b.t.Helper()
	req, err := http.NewRequest(method, b.env.srv.URL+path, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	if body == "" {
		req.Body = http.NoBody
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("X-Forwarded-For", b.ip)
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	return b.send(req)
}

// send sends req and reads the whole answer.
func (b *browser) send(req *http.Request) response {
	b.t.Helper()
	resp, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return response{Response: resp, body: data}
}

// csrf returns the browser's CSRF token, fetching one first if it has none.
func (b *browser) csrf() string {
	b.t.Helper()
	if v := b.cookie(csrf.CookieName); v != "" {
		return v
	}
	r := b.do("GET", "/auth/csrf", "", "", nil)
	if r.StatusCode != http.StatusOK {
		b.t.Fatalf("GET /auth/csrf: got %d", r.StatusCode)
	}
	return b.cookie(csrf.CookieName)
}

// cookie returns the value of a cookie the jar would send to path.
func (b *browser) cookie(name string, path ...string) string {
	p := "/"
	if len(path) > 0 {
		p = path[0]
	}
	u, _ := url.Parse(b.env.srv.URL + p)
	for _, c := range b.http.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// setRefresh replaces the refresh cookie in the jar.
func (b *browser) setRefresh(raw string) {
	u, _ := url.Parse(b.env.srv.URL + "/auth/")
	b.http.Jar.SetCookies(u, []*http.Cookie{{Name: web.RefreshCookie, Value: raw, Path: "/auth"}})
}

func (b *browser) refreshCookie() string { return b.cookie(web.RefreshCookie, "/auth/refresh") }

// post sends a state-changing request with a valid CSRF token.
func (b *browser) post(path, contentType, body string) response {
	b.t.Helper()
	return b.do("POST", path, contentType, body, map[string]string{"X-CSRF-Token": b.csrf()})
}

func (b *browser) postJSON(path string, v map[string]string) response {
	b.t.Helper()
	data, _ := json.Marshal(v)
	return b.post(path, "application/json", string(data))
}

func (b *browser) register(user, email, pass string) response {
	b.t.Helper()
	return b.postJSON("/auth/register",
		map[string]string{"username": user, "email": email, "password": pass})
}

func (b *browser) login(user, pass string) response {
	b.t.Helper()
	return b.postJSON("/auth/login", map[string]string{"username": user, "password": pass})
}

// me calls GET /api/me with an access token.
func (b *browser) me(access string) response {
	b.t.Helper()
	return b.do("GET", "/api/me", "", "", map[string]string{"Authorization": "Bearer " + access})
}

func accessToken(t *testing.T, r response) string {
	t.Helper()
	tok, _ := r.json(t)["access_token"].(string)
	if tok == "" {
		t.Fatalf("no access_token in %d response: %s", r.StatusCode, r.body)
	}
	return tok
}

// wantStatus fails the test unless r has the given status.
func wantStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("%s %s: got status %d, want %d; body %s", r.Request.Method,
			r.Request.URL.Path, r.StatusCode, want, r.body)
	}
}

// strongPassword is a password that passes the policy.
const strongPassword = "correct horse battery staple 42"
