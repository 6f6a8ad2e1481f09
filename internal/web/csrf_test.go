package web_test

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/csrf"
)

// csrfDenied is the body of every CSRF rejection.
const csrfDenied = "CSRF token missing or invalid"

// forgedToken returns a token of the right shape and length that the server never signed.
func forgedToken() string {
	b := make([]byte, 48)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// TestCSRFCookieIssued checks that pages and GET /auth/csrf give the browser a readable
// XSRF-TOKEN cookie when it has no valid one, and keep a valid one.
func TestCSRFCookieIssued(t *testing.T) {
	e := sqliteEnv(t, options{})

	for _, path := range []string{"/", "/login", "/register", "/dashboard", "/auth/csrf"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			b := e.browser().on(t)

			r := b.do("GET", path, "", "", nil)
			wantStatus(t, r, http.StatusOK)
			first := wantCSRFCookie(t, r)
			checkCSRFBody(t, r, first)

			r = b.do("GET", path, "", "", nil)
			wantStatus(t, r, http.StatusOK)
			if c := setCookieNamed(r, csrf.CookieName); c != nil {
				t.Errorf("valid token replaced: got new cookie %q, want none", c.Value)
			}
			checkCSRFBody(t, r, first)

			b.setCSRFCookie(forgedToken())
			r = b.do("GET", path, "", "", nil)
			wantStatus(t, r, http.StatusOK)
			second := wantCSRFCookie(t, r)
			if second == first {
				t.Errorf("forged token: got the old token back, want a new one")
			}
			checkCSRFBody(t, r, second)
		})
	}
}

// wantCSRFCookie checks the XSRF-TOKEN cookie set by r and returns its value.
func wantCSRFCookie(t *testing.T, r response) string {
	t.Helper()
	c := setCookieNamed(r, csrf.CookieName)
	switch {
	case c == nil:
		t.Fatalf("GET %s: no %s cookie set", r.Request.URL.Path, csrf.CookieName)
	case c.HttpOnly:
		t.Errorf("%s: got HttpOnly, want it readable by scripts", c.Name)
	case c.Path != "/":
		t.Errorf("%s Path: got %q, want /", c.Name, c.Path)
	case c.SameSite != http.SameSiteLaxMode:
		t.Errorf("%s SameSite: got %v, want Lax", c.Name, c.SameSite)
	case !safeCookieValue(c.Value):
		t.Errorf("%s value %q: want only [A-Za-z0-9_-]", c.Name, c.Value)
	}
	return c.Value
}

// checkCSRFBody checks that a response of GET /auth/csrf names the token the browser holds.
func checkCSRFBody(t *testing.T, r response, want string) {
	t.Helper()
	if r.Request.URL.Path != "/auth/csrf" {
		return
	}
	if got, _ := r.json(t)["csrf_token"].(string); got != want {
		t.Errorf("csrf_token: got %q, want the cookie %q", got, want)
	}
}

// TestCSRFRequired checks each state-changing cookie route against missing, mismatched,
// forged and cross-origin tokens, and that trusted and same origins pass.
func TestCSRFRequired(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		const trusted = "https://app.example.com"
		e := newEnv(t, open(t), options{origins: []string{trusted}})
		wantStatus(t, e.browser().register("csrfuser", "csrf@example.com", strongPassword),
			http.StatusCreated)

		var n atomic.Int64
		routes := []struct {
			path string
			body func() string // a JSON body that the route accepts
			want int           // the status once past the CSRF check
		}{
			{"/auth/register", func() string {
				i := n.Add(1)
				return fmt.Sprintf(`{"username":"csrf%d","email":"c%d@example.com",`+
					`"password":%q}`, i, i, strongPassword)
			}, http.StatusCreated},
			{"/auth/login", func() string {
				return fmt.Sprintf(`{"username":"csrfuser","password":%q}`, strongPassword)
			}, http.StatusOK},
			{"/auth/refresh", func() string { return "{}" }, http.StatusUnauthorized},
			{"/auth/logout", func() string { return "{}" }, http.StatusOK},
		}
		for _, rt := range routes {
			t.Run(rt.path, func(t *testing.T) {
				t.Parallel()
				for _, c := range csrfCases(e.srv.URL, trusted) {
					t.Run(c.name, func(t *testing.T) {
						b := e.browser().on(t)
						hdr := c.prepare(b)
						r := b.do("POST", rt.path, "application/json", rt.body(), hdr)
						if c.deny {
							if d := wantError(t, r, http.StatusForbidden); d != csrfDenied {
								t.Errorf("detail: got %q, want %q", d, csrfDenied)
							}
							return
						}
						wantStatus(t, r, rt.want)
					})
				}
			})
		}
	})
}

// csrfCase prepares a browser and returns the request headers to send.
type csrfCase struct {
	name    string
	prepare func(b *browser) map[string]string
	deny    bool
}

func csrfCases(self, trusted string) []csrfCase {
	valid := func(extra map[string]string) func(b *browser) map[string]string {
		return func(b *browser) map[string]string {
			hdr := map[string]string{csrf.HeaderName: b.csrf()}
			for k, v := range extra {
				hdr[k] = v
			}
			return hdr
		}
	}
	return []csrfCase{
		{"valid token", valid(nil), false},
		{"same origin", valid(map[string]string{"Origin": self}), false},
		{"same-origin fetch", valid(map[string]string{"Sec-Fetch-Site": "same-origin"}),
			false},
		{"trusted origin", valid(map[string]string{"Origin": trusted,
			"Sec-Fetch-Site": "cross-site"}), false},

		{"missing header", func(b *browser) map[string]string {
			b.csrf()
			return nil
		}, true},
		{"missing cookie", func(b *browser) map[string]string {
			other := b.env.browser().on(b.t)
			return map[string]string{csrf.HeaderName: other.csrf()}
		}, true},
		{"header differs from cookie", func(b *browser) map[string]string {
			b.csrf()
			other := b.env.browser().on(b.t)
			return map[string]string{csrf.HeaderName: other.csrf()}
		}, true},
		{"forged token in both", func(b *browser) map[string]string {
			tok := forgedToken()
			b.setCSRFCookie(tok)
			return map[string]string{csrf.HeaderName: tok}
		}, true},
		{"cross-site fetch", valid(map[string]string{"Sec-Fetch-Site": "cross-site"}), true},
		{"same-site fetch", valid(map[string]string{"Sec-Fetch-Site": "same-site"}), true},
		{"foreign origin", valid(map[string]string{"Origin": "https://evil.example"}), true},
		{"null origin", valid(map[string]string{"Origin": "null"}), true},
	}
}

// TestBearerNeedsNoCSRF checks that /api/me, authenticated by a Bearer token, needs no CSRF
// token even when the request comes from another site.
func TestBearerNeedsNoCSRF(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})
		access := accessToken(t, e.browser().register("api", "api@example.com", strongPassword))

		b := e.browser()
		r := b.do("GET", "/api/me", "", "", map[string]string{
			"Authorization":  "Bearer " + access,
			"Origin":         "https://evil.example",
			"Sec-Fetch-Site": "cross-site",
		})
		wantStatus(t, r, http.StatusOK)
		if got := r.json(t)["username"]; got != "api" {
			t.Errorf("username: got %v, want api", got)
		}
		if v := b.cookie(csrf.CookieName); v != "" {
			t.Errorf("the API set a CSRF cookie %q; want none", v)
		}
	})
}
