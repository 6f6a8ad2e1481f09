package web_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// TestEndToEnd walks register → login → /api/me → refresh → replay of the old token →
// login → logout → refresh, on each store.
func TestEndToEnd(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{grace: 10 * time.Second})
		b := e.browser()

		r := b.register("Walker", "walker@example.com", strongPassword)
		wantStatus(t, r, http.StatusCreated)
		user := r.json(t)["user"].(map[string]any)
		if user["username"] != "Walker" || user["is_active"] != true || user["is_admin"] != false {
			t.Fatalf("register user: got %v", user)
		}

		r = b.login("walker", strongPassword)
		wantStatus(t, r, http.StatusOK)
		access := accessToken(t, r)
		wantStatus(t, b.me(access), http.StatusOK)

		first := b.refreshCookie()
		r = b.post("/auth/refresh", "", "")
		wantStatus(t, r, http.StatusOK)
		second := b.refreshCookie()
		if second == "" || second == first {
			t.Fatalf("refresh did not rotate the cookie: %q then %q", first, second)
		}
		fresh := accessToken(t, r)
		wantStatus(t, b.me(fresh), http.StatusOK)

		// The old token, presented after the grace window by someone else, is theft: the
		// session is revoked, for the thief and for the holder of the newest token.
		e.clock.Advance(11 * time.Second)
		thief := e.browser()
		thief.setRefresh(first)
		wantStatus(t, thief.post("/auth/refresh", "", ""), http.StatusUnauthorized)
		wantStatus(t, b.post("/auth/refresh", "", ""), http.StatusUnauthorized)
		wantStatus(t, b.me(fresh), http.StatusUnauthorized)

		r = b.login("WALKER", strongPassword)
		wantStatus(t, r, http.StatusOK)
		access = accessToken(t, r)
		r = b.post("/auth/logout", "", "")
		wantStatus(t, r, http.StatusOK)
		if d := r.detail(t); d != "Logged out" {
			t.Fatalf("logout detail: got %q", d)
		}
		wantStatus(t, b.me(access), http.StatusUnauthorized)
		wantStatus(t, b.post("/auth/refresh", "", ""), http.StatusUnauthorized)
	})
}

// TestRefreshGrace checks that the immediately previous token works again within the grace
// window and yields the same successor, but an older ancestor never does.
func TestRefreshGrace(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{grace: 10 * time.Second})
		b := e.browser()
		wantStatus(t, b.register("grace", "grace@example.com", strongPassword),
			http.StatusCreated)

		t0 := b.refreshCookie()
		wantStatus(t, b.post("/auth/refresh", "", ""), http.StatusOK)
		t1 := b.refreshCookie()

		// A second tab still holding t0 retries within the window: same successor.
		tab := e.browser()
		tab.setRefresh(t0)
		wantStatus(t, tab.post("/auth/refresh", "", ""), http.StatusOK)
		if got := tab.refreshCookie(); got != t1 {
			t.Fatalf("grace retry: got successor %q, want %q", got, t1)
		}

		wantStatus(t, b.post("/auth/refresh", "", ""), http.StatusOK) // t1 → t2
		// t0 is now an older ancestor: even within the window it is reuse.
		old := e.browser()
		old.setRefresh(t0)
		wantStatus(t, old.post("/auth/refresh", "", ""), http.StatusUnauthorized)
		wantStatus(t, b.post("/auth/refresh", "", ""), http.StatusUnauthorized)
	})
}

// TestConcurrentRefresh fires 50 refreshes of one token at once: none may fail with a 5xx,
// and after the grace window exactly one way of continuing the session remains.
func TestConcurrentRefresh(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{grace: 10 * time.Second})
		b := e.browser()
		wantStatus(t, b.register("racer", "racer@example.com", strongPassword),
			http.StatusCreated)
		start := b.refreshCookie()

		const n = 50
		var wg sync.WaitGroup
		got := make([]string, n)
		status := make([]int, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tab := e.browser()
				tab.ip = b.ip
				tab.setRefresh(start)
				r := tab.do("POST", "/auth/refresh", "", "",
					map[string]string{"X-CSRF-Token": tab.csrf()})
				status[i] = r.StatusCode
				got[i] = tab.refreshCookie()
			}()
		}
		wg.Wait()

		successors := map[string]bool{}
		for i := range n {
			if status[i] != http.StatusOK {
				t.Fatalf("refresh %d: got status %d, want 200", i, status[i])
			}
			successors[got[i]] = true
		}
		if len(successors) != 1 {
			t.Fatalf("got %d different successors, want exactly 1", len(successors))
		}

		e.clock.Advance(11 * time.Second)
		var next string
		for s := range successors {
			next = s
		}
		tab := e.browser()
		tab.setRefresh(next)
		wantStatus(t, tab.post("/auth/refresh", "", ""), http.StatusOK)
		wantStatus(t, tab.post("/auth/refresh", "", ""), http.StatusOK)
	})
}
