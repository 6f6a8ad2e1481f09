package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/csrf"
	"github.com/finintelli/auth/internal/web"
)

// wantCSP is the exact Content-Security-Policy of every response.
const wantCSP = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; " +
	"frame-ancestors 'none'; form-action 'self'"

// checkSecurityHeaders checks the headers every response carries.
func checkSecurityHeaders(t *testing.T, r response) {
	t.Helper()
	exact := map[string]string{
		"Content-Security-Policy":    wantCSP,
		"X-Content-Type-Options":     "nosniff",
		"X-Frame-Options":            "DENY",
		"Referrer-Policy":            "strict-origin-when-cross-origin",
		"Cross-Origin-Opener-Policy": "same-origin",
	}
	for k, want := range exact {
		if got := r.Header.Get(k); got != want {
			t.Errorf("%s: got %q, want %q", k, got, want)
		}
	}
	pp := r.Header.Get("Permissions-Policy")
	for _, want := range []string{"geolocation=()", "microphone=()", "camera=()"} {
		if !strings.Contains(pp, want) {
			t.Errorf("Permissions-Policy %q: want it to contain %s", pp, want)
		}
	}
	if r.Header.Get("X-Request-ID") == "" {
		t.Errorf("no X-Request-ID")
	}
}

// TestSecurityHeaders checks the security headers on responses of every kind, and that
// there is no HSTS while cookies are not Secure.
func TestSecurityHeaders(t *testing.T) {
	e := sqliteEnv(t, options{})
	over := `{"username":"` + strings.Repeat("a", web.MaxBodyBytes) + `"}`

	tests := []struct {
		name   string
		send   func(b *browser) response
		status int
	}{
		{"page", func(b *browser) response { return b.do("GET", "/", "", "", nil) }, 200},
		{"login page", func(b *browser) response {
			return b.do("GET", "/login", "", "", nil)
		}, 200},
		{"api error", func(b *browser) response {
			return b.do("GET", "/api/me", "", "", nil)
		}, 401},
		{"not found", func(b *browser) response {
			return b.do("GET", "/no/such/page", "", "", nil)
		}, 404},
		{"static file", func(b *browser) response {
			return b.do("GET", "/static/js/auth/token.js", "", "", nil)
		}, 200},
		{"wrong method", func(b *browser) response {
			return b.do("GET", "/auth/login", "", "", nil)
		}, 405},
		{"too large", func(b *browser) response {
			return b.post("/auth/login", "application/json", over)
		}, 413},
		{"too large chunked", func(b *browser) response {
			return b.sendChunked("/auth/login", "application/json", over, nil)
		}, 413},
		{"csrf rejection", func(b *browser) response {
			return b.do("POST", "/auth/login", "application/json", "{}", nil)
		}, 403},
		{"failed login", func(b *browser) response {
			return b.login("nobody", strongPassword)
		}, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := tt.send(e.browser().on(t))
			wantStatus(t, r, tt.status)
			checkSecurityHeaders(t, r)
			if h := r.Header.Get("Strict-Transport-Security"); h != "" {
				t.Errorf("HSTS %q with insecure cookies, want none", h)
			}
		})
	}
}

// TestHSTSWhenSecure checks that a server with Secure cookies sends HSTS and marks its
// cookies Secure.
func TestHSTSWhenSecure(t *testing.T) {
	e := sqliteEnv(t, options{secure: true})
	r := e.browser().do("GET", "/", "", "", nil)
	wantStatus(t, r, http.StatusOK)
	checkSecurityHeaders(t, r)

	hsts := r.Header.Get("Strict-Transport-Security")
	if !strings.Contains(hsts, "max-age=") || strings.Contains(hsts, "max-age=0") {
		t.Errorf("Strict-Transport-Security: got %q, want a positive max-age", hsts)
	}
	c := setCookieNamed(r, csrf.CookieName)
	if c == nil || !c.Secure {
		t.Errorf("%s: got %v, want a Secure cookie", csrf.CookieName, c)
	}
}

// TestNoStore checks that the answers of the token endpoints and the API, successful or
// not, may not be cached.
func TestNoStore(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})
		b := e.browser()

		reg := b.register("gina", "gina@example.com", strongPassword)
		wantStatus(t, reg, http.StatusCreated)
		access := accessToken(t, reg)
		responses := []response{
			reg,
			b.register("gina", "gina@example.com", strongPassword),
			b.login("gina", strongPassword),
			b.login("gina", "wrong password 123"),
			b.do("POST", "/auth/login", "application/json", "{}", nil),
			b.post("/auth/refresh", "", ""),
			b.me(access),
			b.me("not-a-token"),
			b.post("/auth/logout", "", ""),
			b.post("/auth/refresh", "", ""),
		}
		for _, r := range responses {
			cc := r.Header.Get("Cache-Control")
			if !strings.Contains(cc, "no-store") {
				t.Errorf("%s %s (%d): Cache-Control %q, want no-store", r.Request.Method,
					r.Request.URL.Path, r.StatusCode, cc)
			}
		}
	})
}
