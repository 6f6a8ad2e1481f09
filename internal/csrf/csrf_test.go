package csrf_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/csrf"
)

var (
	key      = []byte("0123456789abcdef0123456789abcdef")
	otherKey = []byte("fedcba9876543210fedcba9876543210")
)

func newProtector(t testing.TB, cfg csrf.Config) *csrf.Protector {
	t.Helper()
	if cfg.Key == nil {
		cfg.Key = key
	}
	p, err := csrf.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

// mintToken gets a fresh token from p the way a browser would, through Ensure.
func mintToken(t testing.TB, p *csrf.Protector) string {
	t.Helper()
	tok := p.Ensure(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if tok == "" {
		t.Fatal("Ensure returned an empty token")
	}
	return tok
}

type request struct {
	method  string
	header  string // X-CSRF-Token; empty for none
	cookie  string // XSRF-TOKEN; empty for none
	fetch   string // Sec-Fetch-Site
	origin  string
	cookies []string // extra XSRF-TOKEN cookies
}

func (rq request) build() *http.Request {
	method := rq.method
	if method == "" {
		method = http.MethodPost
	}
	r := httptest.NewRequest(method, "http://auth.example.com/auth/login", nil)
	if rq.header != "" {
		r.Header.Set(csrf.HeaderName, rq.header)
	}
	if rq.cookie != "" {
		r.AddCookie(&http.Cookie{Name: csrf.CookieName, Value: rq.cookie})
	}
	for _, v := range rq.cookies {
		r.AddCookie(&http.Cookie{Name: csrf.CookieName, Value: v})
	}
	if rq.fetch != "" {
		r.Header.Set("Sec-Fetch-Site", rq.fetch)
	}
	if rq.origin != "" {
		r.Header.Set("Origin", rq.origin)
	}
	return r
}

func TestCheck(t *testing.T) {
	p := newProtector(t, csrf.Config{TrustedOrigins: []string{"https://app.example.com"}})
	tok := mintToken(t, p)
	tok2 := mintToken(t, p)
	foreign := mintToken(t, newProtector(t, csrf.Config{Key: otherKey}))
	unsigned := strings.Repeat("a", len(tok))

	tests := []struct {
		name string
		req  request
		want error
	}{
		{"valid pair", request{header: tok, cookie: tok}, nil},
		{"valid pair, PUT", request{method: http.MethodPut, header: tok, cookie: tok}, nil},
		{"valid pair, DELETE", request{method: http.MethodDelete, header: tok, cookie: tok}, nil},
		{"missing header", request{cookie: tok}, csrf.ErrTokenInvalid},
		{"missing cookie", request{header: tok}, csrf.ErrTokenInvalid},
		{"missing both", request{}, csrf.ErrTokenInvalid},
		{"mismatch of two valid tokens", request{header: tok, cookie: tok2}, csrf.ErrTokenInvalid},
		{"unsigned but matching", request{header: unsigned, cookie: unsigned},
			csrf.ErrTokenInvalid},
		{"signed with another key", request{header: foreign, cookie: foreign},
			csrf.ErrTokenInvalid},
		{"truncated token", request{header: tok[:63], cookie: tok[:63]}, csrf.ErrTokenInvalid},
		{"padded token", request{header: tok + "=", cookie: tok + "="}, csrf.ErrTokenInvalid},
		{"header matches second cookie", request{header: tok, cookie: tok2, cookies: []string{tok}},
			nil},
		{"cross-site with valid token",
			request{header: tok, cookie: tok, fetch: "cross-site"}, csrf.ErrCrossOrigin},
		{"same-site with valid token",
			request{header: tok, cookie: tok, fetch: "same-site"}, csrf.ErrCrossOrigin},
		{"same-origin", request{header: tok, cookie: tok, fetch: "same-origin"}, nil},
		{"same-origin without token", request{fetch: "same-origin"}, csrf.ErrTokenInvalid},
		{"Origin matches host", request{header: tok, cookie: tok,
			origin: "http://auth.example.com"}, nil},
		{"Origin evil", request{header: tok, cookie: tok, origin: "https://evil.example"},
			csrf.ErrCrossOrigin},
		{"Origin null", request{header: tok, cookie: tok, origin: "null"}, csrf.ErrCrossOrigin},
		{"Origin trusted", request{header: tok, cookie: tok, origin: "https://app.example.com",
			fetch: "cross-site"}, nil},
		{"Origin trusted without token", request{origin: "https://app.example.com",
			fetch: "cross-site"}, csrf.ErrTokenInvalid},
		{"Origin trusted but other scheme", request{header: tok, cookie: tok,
			origin: "http://app.example.com"}, csrf.ErrCrossOrigin},
		{"GET without token", request{method: http.MethodGet}, nil},
		{"GET cross-site without token", request{method: http.MethodGet, fetch: "cross-site"}, nil},
		{"HEAD without token", request{method: http.MethodHead}, nil},
		{"OPTIONS without token", request{method: http.MethodOptions}, nil},
		{"lower-case post is not safe", request{method: "post"}, csrf.ErrTokenInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Check(tt.req.build())
			if tt.want == nil && err != nil {
				t.Fatalf("got %v, want nil", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestEnsure(t *testing.T) {
	p := newProtector(t, csrf.Config{})
	tok := mintToken(t, p)
	foreign := mintToken(t, newProtector(t, csrf.Config{Key: otherKey}))

	tests := []struct {
		name      string
		cookie    string
		wantReuse bool
	}{
		{"no cookie", "", false},
		{"valid cookie reused", tok, true},
		{"garbage cookie replaced", "garbage", false},
		{"unsigned cookie replaced", strings.Repeat("a", len(tok)), false},
		{"foreign cookie replaced", foreign, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			got := p.Ensure(w, request{method: http.MethodGet, cookie: tt.cookie}.build())
			set := w.Result().Cookies()

			if tt.wantReuse {
				if got != tt.cookie || len(set) != 0 {
					t.Fatalf("got token %q and %d Set-Cookie, want %q and none",
						got, len(set), tt.cookie)
				}
				return
			}

			if got == tt.cookie || len(set) != 1 || set[0].Value != got {
				t.Fatalf("got token %q and cookies %v, want a new token set as the cookie",
					got, set)
			}
			// The new token must pass Check.
			if err := p.Check(request{header: got, cookie: got}.build()); err != nil {
				t.Errorf("Check with the new token: got %v, want nil", err)
			}
		})
	}
}

func TestEnsureTokensDiffer(t *testing.T) {
	p := newProtector(t, csrf.Config{})
	seen := map[string]bool{}
	for range 100 {
		tok := mintToken(t, p)
		if seen[tok] {
			t.Fatalf("token %q repeated", tok)
		}
		seen[tok] = true
	}
}

func TestCookieAttributes(t *testing.T) {
	tests := []struct {
		name       string
		cfg        csrf.Config
		wantSecure bool
		wantDomain string
		wantSame   http.SameSite
		wantMaxAge int
	}{
		{"defaults", csrf.Config{}, false, "", http.SameSiteLaxMode, 7 * 24 * 3600},
		{"configured", csrf.Config{
			Secure: true, Domain: "example.com", SameSite: http.SameSiteStrictMode,
			MaxAge: time.Hour,
		}, true, "example.com", http.SameSiteStrictMode, 3600},
		{"SameSite None", csrf.Config{Secure: true, SameSite: http.SameSiteNoneMode},
			true, "", http.SameSiteNoneMode, 7 * 24 * 3600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProtector(t, tt.cfg)
			w := httptest.NewRecorder()
			p.Ensure(w, httptest.NewRequest(http.MethodGet, "/", nil))

			cookies := w.Result().Cookies()
			if len(cookies) != 1 {
				t.Fatalf("got %d cookies, want 1", len(cookies))
			}
			c := cookies[0]
			if c.Name != csrf.CookieName || c.Path != "/" || c.HttpOnly {
				t.Errorf("got name %q path %q HttpOnly %v, want %q, / and false",
					c.Name, c.Path, c.HttpOnly, csrf.CookieName)
			}
			if c.Secure != tt.wantSecure || c.Domain != tt.wantDomain {
				t.Errorf("got Secure %v Domain %q, want %v and %q",
					c.Secure, c.Domain, tt.wantSecure, tt.wantDomain)
			}
			if c.SameSite != tt.wantSame || c.MaxAge != tt.wantMaxAge {
				t.Errorf("got SameSite %v MaxAge %d, want %v and %d",
					c.SameSite, c.MaxAge, tt.wantSame, tt.wantMaxAge)
			}
		})
	}
}

func TestProtect(t *testing.T) {
	p := newProtector(t, csrf.Config{})
	tok := mintToken(t, p)
	next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	h := p.Protect(next)

	t.Run("passes", func(t *testing.T) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, request{header: tok, cookie: tok}.build())
		if w.Code != http.StatusNoContent {
			t.Errorf("got status %d, want %d", w.Code, http.StatusNoContent)
		}
	})

	t.Run("default deny", func(t *testing.T) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, request{cookie: tok}.build())
		res := w.Result()
		body, _ := io.ReadAll(res.Body)

		if res.StatusCode != http.StatusForbidden {
			t.Errorf("got status %d, want 403", res.StatusCode)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("got Content-Type %q, want application/json", ct)
		}
		if want := `{"detail":"CSRF token missing or invalid"}`; string(body) != want {
			t.Errorf("got body %q, want %q", body, want)
		}
	})
}

func TestCustomDenyAndReason(t *testing.T) {
	var reason error
	deny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reason = csrf.Reason(r)
		w.WriteHeader(http.StatusTeapot)
	})
	p := newProtector(t, csrf.Config{Deny: deny})
	tok := mintToken(t, p)
	reached := false
	h := p.Protect(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))

	w := httptest.NewRecorder()
	h.ServeHTTP(w, request{header: tok, cookie: tok, fetch: "cross-site"}.build())

	if w.Code != http.StatusTeapot || reached {
		t.Errorf("got status %d, next reached %v; want 418 and false", w.Code, reached)
	}
	if !errors.Is(reason, csrf.ErrCrossOrigin) {
		t.Errorf("Reason: got %v, want ErrCrossOrigin", reason)
	}
	if reason != nil && strings.Contains(reason.Error(), tok) {
		t.Errorf("Reason %q contains the token", reason)
	}
	if got := csrf.Reason(httptest.NewRequest(http.MethodPost, "/", nil)); got != nil {
		t.Errorf("Reason of an unchecked request: got %v, want nil", got)
	}
}

func TestNewConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     csrf.Config
		wantErr bool
	}{
		{"valid", csrf.Config{Key: key, TrustedOrigins: []string{"https://a.example:8443"}},
			false},
		{"no key", csrf.Config{}, true},
		{"short key", csrf.Config{Key: key[:31]}, true},
		{"negative max age", csrf.Config{Key: key, MaxAge: -time.Second}, true},
		{"origin without scheme", csrf.Config{Key: key, TrustedOrigins: []string{"app.example"}},
			true},
		{"origin with path", csrf.Config{Key: key,
			TrustedOrigins: []string{"https://app.example/login"}}, true},
		{"origin unparsable", csrf.Config{Key: key, TrustedOrigins: []string{"http://[::1"}},
			true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := csrf.New(tt.cfg)
			if (err != nil) != tt.wantErr {
				t.Errorf("got error %v, want error: %v", err, tt.wantErr)
			}
		})
	}
}
