package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/csrf"
	"github.com/finintelli/auth/internal/web"
)

// refreshMaxAge is the lifetime of the refresh cookie: 14 days, in seconds.
const refreshMaxAge = 14 * 24 * 60 * 60

// wantRefreshCookie checks the attributes of the refresh cookie r sets and returns its value.
func wantRefreshCookie(t *testing.T, r response) string {
	t.Helper()
	c := setCookieNamed(r, web.RefreshCookie)
	if c == nil {
		t.Fatalf("%s: no %s cookie set", r.Request.URL.Path, web.RefreshCookie)
	}
	if !c.HttpOnly {
		t.Errorf("%s: got no HttpOnly, want HttpOnly", c.Name)
	}
	for _, p := range []string{"/auth/refresh", "/auth/logout"} {
		if !refreshPathCovers(c.Path, p) {
			t.Errorf("%s Path %q: want it to cover %s", c.Name, c.Path, p)
		}
	}
	if refreshPathCovers(c.Path, "/api/me") || refreshPathCovers(c.Path, "/") {
		t.Errorf("%s Path %q: want it not to reach pages or the API", c.Name, c.Path)
	}
	if c.SameSite != http.SameSiteLaxMode {
		t.Errorf("%s SameSite: got %v, want Lax", c.Name, c.SameSite)
	}
	if c.MaxAge != refreshMaxAge {
		t.Errorf("%s Max-Age: got %d, want %d", c.Name, c.MaxAge, refreshMaxAge)
	}
	if c.Domain != "" {
		t.Errorf("%s Domain: got %q, want none (host-only)", c.Name, c.Domain)
	}
	if len(c.Value) < 43 {
		t.Errorf("%s value: got %d characters, want at least 43", c.Name, len(c.Value))
	}
	return c.Value
}

// TestRefreshCookie checks the refresh cookie set by register, login and refresh, its
// rotation, and that logout clears it, with or without a cookie to clear.
func TestRefreshCookie(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})
		b := e.browser()

		registered := wantRefreshCookie(t, b.register("erin", "erin@example.com",
			strongPassword))
		loggedIn := wantRefreshCookie(t, b.login("erin", strongPassword))
		r := b.post("/auth/refresh", "", "")
		wantStatus(t, r, http.StatusOK)
		rotated := wantRefreshCookie(t, r)
		if rotated == loggedIn || loggedIn == registered {
			t.Errorf("refresh cookie not renewed: %q, %q, %q", registered, loggedIn, rotated)
		}
		if got := b.refreshCookie(); got != rotated {
			t.Errorf("jar holds %q, want the rotated %q", got, rotated)
		}
		if got := b.cookie(web.RefreshCookie, "/"); got != "" {
			t.Errorf("refresh cookie sent to /: got %q, want none", got)
		}

		r = b.post("/auth/logout", "", "")
		wantLoggedOut(t, r)
		if got := b.refreshCookie(); got != "" {
			t.Errorf("after logout the jar still holds %q", got)
		}
		wantLoggedOut(t, b.post("/auth/logout", "", ""))
		wantLoggedOut(t, e.browser().post("/auth/logout", "", ""))
	})
}

// wantLoggedOut checks a logout response: "Logged out", and the refresh cookie cleared on
// the path it was set on.
func wantLoggedOut(t *testing.T, r response) {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	if d := r.detail(t); d != "Logged out" {
		t.Errorf("logout detail: got %q, want Logged out", d)
	}
	c := setCookieNamed(r, web.RefreshCookie)
	switch {
	case c == nil:
		t.Errorf("logout: refresh cookie not cleared")
	case c.MaxAge >= 0 || c.Value != "":
		t.Errorf("logout cookie: got Max-Age %d, value %q; want expired and empty",
			c.MaxAge, c.Value)
	case !refreshPathCovers(c.Path, "/auth/refresh") || !c.HttpOnly:
		t.Errorf("logout cookie: got Path %q HttpOnly %v; want the refresh cookie's",
			c.Path, c.HttpOnly)
	}
}

// TestOnlyCSRFCookieReadable checks that every cookie a script can read is the CSRF token,
// over a whole session.
func TestOnlyCSRFCookieReadable(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})
		b := e.browser()

		responses := []response{
			b.do("GET", "/", "", "", nil),
			b.do("GET", "/dashboard", "", "", nil),
			b.register("frank", "frank@example.com", strongPassword),
			b.login("frank", strongPassword),
			b.post("/auth/refresh", "", ""),
			b.post("/auth/logout", "", ""),
		}
		seen := 0
		for _, r := range responses {
			for _, c := range r.Cookies() {
				seen++
				if !c.HttpOnly && c.Name != csrf.CookieName {
					t.Errorf("%s sets %s without HttpOnly", r.Request.URL.Path, c.Name)
				}
			}
		}
		if seen < 5 {
			t.Errorf("saw %d cookies set, want at least 5", seen)
		}
	})
}

// TestPlantedRefreshCookie: a refresh cookie planted beside the real one (as a sibling
// subdomain can, with a longer path that browsers send first) neither wins nor logs the
// holder out.
func TestPlantedRefreshCookie(t *testing.T) {
	t.Parallel()
	e := newEnv(t, backends["sqlite"](t), options{grace: 10 * time.Second})
	b := e.browser()
	wantStatus(t, b.register("tossed", "tossed@example.com", strongPassword),
		http.StatusCreated)
	real := b.refreshCookie()

	victim := e.browser()
	r := victim.do("POST", "/auth/refresh", "", "", map[string]string{
		"X-CSRF-Token": victim.csrf(),
		"Cookie":       "refresh_token=planted-garbage; refresh_token=" + real,
	})
	wantStatus(t, r, http.StatusOK)

	// Garbage of the right shape, and a stale ancestor of the same session after the grace
	// window, are passed over for the live token instead of ending the session.
	live := victim.refreshCookie()
	r = victim.do("POST", "/auth/refresh", "", "", map[string]string{
		"X-CSRF-Token": victim.csrf(),
		"Cookie":       "refresh_token=" + strings.Repeat("A", 43) + "; refresh_token=" + live,
	})
	wantStatus(t, r, http.StatusOK)
	e.clock.Advance(11 * time.Second)
	stale := e.browser()
	r = stale.do("POST", "/auth/refresh", "", "", map[string]string{
		"X-CSRF-Token": stale.csrf(),
		"Cookie":       "refresh_token=" + real + "; refresh_token=" + victim.refreshCookie(),
	})
	wantStatus(t, r, http.StatusOK)
	if strings.Contains(r.Header.Get("Set-Cookie"), "refresh_token=;") {
		t.Fatal("a request with several refresh cookies cleared one")
	}

	empty := e.browser()
	r = empty.do("POST", "/auth/refresh", "", "", map[string]string{
		"X-CSRF-Token": empty.csrf(), "Cookie": "refresh_token="})
	wantStatus(t, r, http.StatusUnauthorized)
	if !strings.Contains(r.Header.Get("Set-Cookie"), "refresh_token=;") {
		t.Fatalf("an empty refresh cookie was not cleared: Set-Cookie %q",
			r.Header.Get("Set-Cookie"))
	}
}
