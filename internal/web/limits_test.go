package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/ratelimit"
	"github.com/finintelli/auth/internal/web"
)

// wrongPassword is a password no test account has.
const wrongPassword = "not the password at all"

// limitedEnv returns a test server on SQLite whose limits are counted in process memory.
// The rules count real time, not the env's clock.
func limitedEnv(t *testing.T, o options) *env {
	t.Helper()
	o.limiter = ratelimit.NewMemory()
	return newEnv(t, backends["sqlite"](t), o)
}

// rule returns a rate limit of n attempts per period.
func rule(name string, n int, period time.Duration) auth.Rule {
	return auth.Rule{Name: name, Limit: n, Period: period}
}

// browserAt returns a new browser whose requests come, through the trusted proxy, from ip.
func (e *env) browserAt(ip string) *browser {
	b := e.browser()
	b.ip = ip
	return b
}

// wantLimited checks that r is a 429 with a JSON detail and a Retry-After of whole seconds
// between 1 and most, and returns the seconds.
func wantLimited(t *testing.T, r response, most int) int {
	t.Helper()
	wantStatus(t, r, http.StatusTooManyRequests)
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("429 Content-Type: got %q, want application/json", ct)
	}
	if d := r.detail(t); d == "" {
		t.Errorf("429 body: got %s, want a non-empty detail", r.body)
	}
	raw := r.Header.Get("Retry-After")
	secs, err := strconv.Atoi(raw)
	if err != nil || secs < 1 || secs > most {
		t.Fatalf("429 Retry-After: got %q, want whole seconds in 1..%d", raw, most)
	}
	return secs
}

// TestLoginLimitPerIP: the sixth login from one address within the period is refused,
// whatever account it names.
func TestLoginLimitPerIP(t *testing.T) {
	t.Parallel()
	e := limitedEnv(t, options{limits: auth.Limits{LoginIP: rule("login_ip", 5, time.Minute)}})
	b := e.browserAt("203.0.113.10")

	for i := range 5 {
		r := b.login(fmt.Sprintf("nobody%d", i), wrongPassword)
		wantStatus(t, r, http.StatusUnauthorized)
	}
	wantLimited(t, b.login("nobody5", wrongPassword), 60)

	// Another address is counted on its own.
	wantStatus(t, e.browserAt("203.0.113.11").login("nobody", wrongPassword),
		http.StatusUnauthorized)
}

// TestLoginSuccessKeepsIPCount: a successful login does not give the address its attempts
// back, so an attacker who owns one account cannot use it to reset the count.
func TestLoginSuccessKeepsIPCount(t *testing.T) {
	t.Parallel()
	e := limitedEnv(t, options{limits: auth.Limits{LoginIP: rule("login_ip", 5, time.Minute)}})
	b := e.browserAt("203.0.113.20")
	wantStatus(t, b.register("keeper", "keeper@example.com", strongPassword),
		http.StatusCreated)

	for range 4 {
		wantStatus(t, b.login("keeper", wrongPassword), http.StatusUnauthorized)
	}
	wantStatus(t, b.login("keeper", strongPassword), http.StatusOK)
	wantLimited(t, b.login("keeper", strongPassword), 60)
}

// TestLoginLimitPerAccount: spellings of one username that share a login key (case,
// full-width forms, surrounding space) share one bucket; another account does not.
func TestLoginLimitPerAccount(t *testing.T) {
	t.Parallel()
	e := limitedEnv(t, options{limits: auth.Limits{
		LoginAccount: rule("login_account", 5, time.Minute)}})
	b := e.browserAt("203.0.113.30")
	wantStatus(t, b.register("alice", "alice@example.com", strongPassword), http.StatusCreated)
	wantStatus(t, b.register("bobby", "bobby@example.com", strongPassword), http.StatusCreated)

	spellings := []string{"Alice", "ALICE", "ａｌｉｃｅ", "ＡＬＩＣＥ", " aLiCe "}
	for _, name := range spellings {
		if r := b.login(name, wrongPassword); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("login as %q: got %d, want 401; body %s", name, r.StatusCode, r.body)
		}
	}
	wantLimited(t, b.login("alice", strongPassword), 60)
	wantStatus(t, b.login("bobby", strongPassword), http.StatusOK)
}

// TestAttackerDoesNotLockOutUser: exhausting an account's bucket from one address leaves
// the owner free to log in from another.
func TestAttackerDoesNotLockOutUser(t *testing.T) {
	t.Parallel()
	e := limitedEnv(t, options{limits: auth.Limits{
		LoginAccount: rule("login_account", 5, time.Minute)}})
	owner := e.browserAt("198.51.100.7")
	wantStatus(t, owner.register("victim", "victim@example.com", strongPassword),
		http.StatusCreated)

	attacker := e.browserAt("203.0.113.40")
	for range 5 {
		wantStatus(t, attacker.login("victim", wrongPassword), http.StatusUnauthorized)
	}
	wantLimited(t, attacker.login("victim", strongPassword), 60)

	wantStatus(t, owner.login("victim", strongPassword), http.StatusOK)
}

// TestAccountCeiling: the slow per-account ceiling stops an attack spread over many
// addresses, each of which stays under its own limits.
func TestAccountCeiling(t *testing.T) {
	t.Parallel()
	e := limitedEnv(t, options{limits: auth.Limits{
		LoginIP:           rule("login_ip", 5, time.Minute),
		LoginAccount:      rule("login_account", 5, time.Minute),
		LoginAccountDaily: rule("login_account_daily", 8, time.Hour),
	}})
	wantStatus(t, e.browserAt("198.51.100.8").register("target", "target@example.com",
		strongPassword), http.StatusCreated)
	wantStatus(t, e.browserAt("198.51.100.9").register("bystander", "by@example.com",
		strongPassword), http.StatusCreated)

	for i := range 8 {
		b := e.browserAt(fmt.Sprintf("203.0.113.%d", 100+i))
		wantStatus(t, b.login("target", wrongPassword), http.StatusUnauthorized)
	}
	wantLimited(t, e.browserAt("203.0.113.120").login("target", wrongPassword), 3600)
	wantLimited(t, e.browserAt("203.0.113.121").login("Target", strongPassword), 3600)

	// The ceiling belongs to the account, not to the addresses that hit it.
	wantStatus(t, e.browserAt("203.0.113.122").login("bystander", strongPassword),
		http.StatusOK)
}

// TestDeviceTokenPassesCeiling: a browser that logged in to the account before carries a
// device token and gets past a ceiling that an attacker filled from many addresses, even
// from a new address; a browser without one, or with the token of another account, does
// not.
func TestDeviceTokenPassesCeiling(t *testing.T) {
	t.Parallel()
	e := limitedEnv(t, options{limits: auth.Limits{
		LoginAccountDaily: rule("login_account_daily", 4, time.Hour)}})
	owner := e.browserAt("198.51.100.20")
	wantStatus(t, owner.register("owned", "owned@example.com", strongPassword),
		http.StatusCreated)
	if owner.cookie(web.DeviceCookie, "/auth/login") == "" {
		t.Fatal("register set no device token cookie")
	}
	other := e.browserAt("198.51.100.21")
	wantStatus(t, other.register("someone", "someone@example.com", strongPassword),
		http.StatusCreated)

	for i := range 4 {
		b := e.browserAt(fmt.Sprintf("203.0.113.%d", 150+i))
		wantStatus(t, b.login("owned", wrongPassword), http.StatusUnauthorized)
	}
	wantLimited(t, e.browserAt("203.0.113.160").login("owned", strongPassword), 3600)

	owner.ip = "198.51.100.22" // the owner travels: a new address, the same browser
	r := owner.login("OWNED", strongPassword)
	wantStatus(t, r, http.StatusOK)
	access := accessToken(t, r)

	// A device token planted beside the real one does not hide it.
	planted := e.browserAt("198.51.100.24")
	real := owner.cookie(web.DeviceCookie, "/auth/login")
	wantStatus(t, planted.do("POST", "/auth/login", "application/json",
		`{"username":"owned","password":"`+strongPassword+`"}`, map[string]string{
			"X-CSRF-Token": planted.csrf(),
			"Cookie":       "device_token=planted-value; device_token=" + real,
		}), http.StatusOK)

	// The owner, signed in, can change the password while the ceiling is full.
	data, _ := json.Marshal(map[string]string{"current_password": strongPassword,
		"new_password": "a brand new passphrase 77"})
	wantStatus(t, owner.do("POST", "/api/password", "application/json", string(data),
		map[string]string{"Authorization": "Bearer " + access}), http.StatusOK)

	// A password change ends the device tokens issued before it: a stolen one is worth
	// nothing after the owner changes the password.
	owner.ip = "198.51.100.25"
	wantLimited(t, owner.login("owned", "a brand new passphrase 77"), 3600)

	// The device token of another account is worth nothing here.
	other.ip = "198.51.100.23"
	wantLimited(t, other.login("owned", strongPassword), 3600)
}

// TestAccountCeilingCoversEmail: the ceiling counts attempts per account, so naming the
// account by its e-mail address must not open a second bucket beside its username's.
func TestAccountCeilingCoversEmail(t *testing.T) {
	t.Parallel()
	e := limitedEnv(t, options{limits: auth.Limits{
		LoginAccountDaily: rule("login_account_daily", 8, time.Hour)}})
	wantStatus(t, e.browserAt("198.51.100.10").register("mailer", "mailer@example.com",
		strongPassword), http.StatusCreated)

	for i := range 8 {
		b := e.browserAt(fmt.Sprintf("203.0.113.%d", 130+i))
		wantStatus(t, b.login("mailer", wrongPassword), http.StatusUnauthorized)
	}
	wantLimited(t, e.browserAt("203.0.113.140").login("mailer@example.com", wrongPassword),
		3600)
}

// TestRegisterLimitPerIP: the sixth registration from one address within the period is
// refused; another address may still register.
func TestRegisterLimitPerIP(t *testing.T) {
	t.Parallel()
	e := limitedEnv(t, options{limits: auth.Limits{
		RegisterIP: rule("register_ip", 5, time.Minute)}})
	b := e.browserAt("203.0.113.50")

	for i := range 5 {
		name := fmt.Sprintf("signup%d", i)
		wantStatus(t, b.register(name, name+"@example.com", strongPassword),
			http.StatusCreated)
	}
	wantLimited(t, b.register("signup5", "signup5@example.com", strongPassword), 60)

	wantStatus(t, e.browserAt("203.0.113.51").register("signup6", "signup6@example.com",
		strongPassword), http.StatusCreated)
}

// TestRefreshLimitPerSession: a session refreshed too often is refused for a while, keeps
// its refresh token meanwhile, and works again once the bucket refills. Another session is
// not affected.
func TestRefreshLimitPerSession(t *testing.T) {
	t.Parallel()
	e := limitedEnv(t, options{limits: auth.Limits{
		RefreshSession: rule("refresh_session", 2, 4*time.Second)}})
	b := e.browserAt("203.0.113.60")
	wantStatus(t, b.register("spinner", "spinner@example.com", strongPassword),
		http.StatusCreated)
	other := e.browserAt("203.0.113.60")
	wantStatus(t, other.login("spinner", strongPassword), http.StatusOK)

	wantStatus(t, b.post("/auth/refresh", "", ""), http.StatusOK)
	wantStatus(t, b.post("/auth/refresh", "", ""), http.StatusOK)
	held := b.refreshCookie()
	wantLimited(t, b.post("/auth/refresh", "", ""), 4)
	if got := b.refreshCookie(); got != held {
		t.Fatalf("refresh cookie after a 429: got %q, want it kept as %q", got, held)
	}
	wantStatus(t, other.post("/auth/refresh", "", ""), http.StatusOK)

	r := pollRefresh(t, b, 20*time.Second)
	wantStatus(t, b.me(accessToken(t, r)), http.StatusOK)
}

// pollRefresh refreshes b's session until it is no longer refused for its rate, and returns
// the first other answer, which must be a 200.
func pollRefresh(t *testing.T, b *browser, patience time.Duration) response {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		r := b.post("/auth/refresh", "", "")
		if r.StatusCode != http.StatusTooManyRequests {
			wantStatus(t, r, http.StatusOK)
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("refresh still refused after %v: %s", patience, r.body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestLimitKeyIgnoresForgedForwarding: behind a trusted proxy, X-Forwarded-For names the
// client, so each new address gets its own bucket; without one, the header is the client's
// own claim and a new value each time does not escape the limit.
func TestLimitKeyIgnoresForgedForwarding(t *testing.T) {
	tests := []struct {
		name      string
		noProxy   bool
		wantSixth int
	}{
		{"trusted proxy", false, http.StatusUnauthorized},
		{"no trusted proxy", true, http.StatusTooManyRequests},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := limitedEnv(t, options{noProxy: tt.noProxy,
				limits: auth.Limits{LoginIP: rule("login_ip", 5, time.Minute)}})
			b := e.browser()

			var r response
			for i := range 6 {
				b.ip = fmt.Sprintf("192.0.2.%d", 10+i)
				r = b.login("anyone", wrongPassword)
				if i < 5 {
					wantStatus(t, r, http.StatusUnauthorized)
				}
			}
			if r.StatusCode != tt.wantSixth {
				t.Fatalf("sixth login, forwarded for %s: got %d, want %d; body %s", b.ip,
					r.StatusCode, tt.wantSixth, r.body)
			}
		})
	}
}
