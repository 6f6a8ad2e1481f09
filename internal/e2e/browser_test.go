package e2e_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/finintelli/auth/internal/app"
	"github.com/finintelli/auth/internal/testenv"
	"github.com/finintelli/auth/internal/token"
)

// account is the person the test registers.
type account struct {
	username, email, password string
}

// meAnswer is what a page script returns after calling /api/me through Auth.authFetch.
type meAnswer struct {
	Status   int    `json:"status"`
	Username string `json:"username"`
}

// callMe calls the protected API the way the dashboard does.
const callMe = `(async () => {
  const res = await Auth.authFetch("/api/me");
  let body = null;
  try { body = await res.json(); } catch (e) {}
  return { status: res.status, username: (body && body.username) || "" };
})()`

// tamperToken breaks the signature of the stored access token and returns the broken token.
const tamperToken = `(() => {
  const tok = sessionStorage.getItem("access_token");
  if (!tok) { return ""; }
  const parts = tok.split(".");
  parts[2] = (parts[2][0] === "A" ? "B" : "A") + parts[2].slice(1);
  const bad = parts.join(".");
  sessionStorage.setItem("access_token", bad);
  return bad;
})()`

const storedToken = `sessionStorage.getItem("access_token") || ""`

// TestBrowser drives the pages in Chromium as a person would: register, log out, log in,
// then checks where the tokens live, the refresh-and-retry of Auth.authFetch (one refresh
// per burst of 401s, several tabs on one session), logout, and that no page reports a CSP
// violation or a JavaScript error.
func TestBrowser(t *testing.T) {
	exe := chromiumPath(t)
	base := startServer(t)
	shots, err := os.MkdirTemp("", "finintelli-e2e-screenshots-")
	if err != nil {
		t.Fatalf("screenshot folder: %v", err)
	}
	t.Logf("screenshots are saved in %s", shots)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	b := startBrowser(ctx, t, exe, base)
	tab1 := b.newTab(t, "tab1")
	var tab2 *tab
	t.Cleanup(func() {
		// When a step fails, the later console check does not run: show what the pages
		// reported, which often explains the failure.
		if t.Failed() {
			logProblems(t, tab1, tab2)
		}
	})
	suffix := testenv.RandomSuffix()
	acct := account{username: "e2e_" + suffix, email: "e2e_" + suffix + "@example.com",
		password: "ferry-lantern-" + suffix}

	step(t, "login page sets the CSRF cookie", func(t *testing.T) {
		checkCSRFCookie(t, tab1)
	})
	step(t, "register, log out and log in through the forms", func(t *testing.T) {
		registerLogoutLogin(t, tab1, acct)
	})
	step(t, "refresh cookie is HttpOnly and the access token is in sessionStorage only",
		func(t *testing.T) { checkTokenPlaces(t, tab1) })
	step(t, "authFetch calls the protected API", func(t *testing.T) {
		before := tab1.rec.count("POST", "/auth/refresh")
		expectMe(t, tab1, acct.username)
		if n := tab1.rec.count("POST", "/auth/refresh") - before; n != 0 {
			t.Errorf("refreshes with a valid token: got %d, want 0", n)
		}
	})
	step(t, "screenshots", func(t *testing.T) {
		takeScreenshots(t, tab1, shots, acct.username)
	})
	step(t, "a tampered token is refreshed once and the call retried", func(t *testing.T) {
		checkTamperedRefresh(t, tab1, acct.username)
	})
	step(t, "five calls with an expired token share one refresh", func(t *testing.T) {
		checkBurst(t, tab1)
	})
	tab2 = b.newTab(t, "tab2")
	step(t, "a second tab shares the session and both tabs keep refreshing",
		func(t *testing.T) { checkTwoTabs(t, tab1, tab2, acct.username) })
	step(t, "logout ends the session in every tab", func(t *testing.T) {
		checkLogout(t, tab1, tab2)
	})
	step(t, "the console check sees a CSP violation and an exception", func(t *testing.T) {
		checkCanary(t, b.newTab(t, "canary"))
	})
	step(t, "no CSP violation and no JavaScript error on any page", func(t *testing.T) {
		checkConsole(t, tab1, tab2)
	})
}

// step runs one step as a subtest and stops the test when it fails: later steps build on
// the state the earlier ones leave.
func step(t *testing.T, name string, f func(t *testing.T)) {
	t.Helper()
	if !t.Run(name, f) {
		t.FailNow()
	}
}

func checkCSRFCookie(t *testing.T, tb *tab) {
	tb.open(t, "/login", "#login-form")

	var csrf *network.Cookie
	for _, c := range tb.cookies(t, tb.base+"/login") {
		if c.Name == "XSRF-TOKEN" {
			csrf = c
		}
	}
	if csrf == nil || csrf.Value == "" {
		t.Fatalf("no XSRF-TOKEN cookie after GET /login")
	}
	if csrf.HTTPOnly || csrf.Path != "/" {
		t.Errorf("XSRF-TOKEN: got HttpOnly %v, path %q; want false, \"/\"",
			csrf.HTTPOnly, csrf.Path)
	}
	doc := eval[string](t, tb, "document.cookie")
	if !strings.Contains(doc, "XSRF-TOKEN="+csrf.Value) {
		t.Errorf("document.cookie = %q, want it to hold the XSRF-TOKEN cookie", doc)
	}
}

func registerLogoutLogin(t *testing.T, tb *tab, acct account) {
	tb.open(t, "/register", "#register-form")
	tb.do(t, "fill in the register form",
		chromedp.SendKeys(chromedp.ID("username"), acct.username),
		chromedp.SendKeys(chromedp.ID("email"), acct.email),
		chromedp.SendKeys(chromedp.ID("password"), acct.password),
		chromedp.SendKeys(chromedp.ID("confirmPassword"), acct.password),
		chromedp.Click(chromedp.CSS(`#register-form button[type="submit"]`)),
	)
	tb.waitPath(t, "/dashboard")
	waitDashboard(t, tb, acct.username)

	tb.do(t, "log out", chromedp.Click(chromedp.ID("logout")))
	tb.waitPath(t, "/")
	if tok := eval[string](t, tb, storedToken); tok != "" {
		t.Errorf("access token after logout: got %q, want none", tok)
	}

	tb.open(t, "/login", "#login-form")
	tb.do(t, "fill in the login form",
		chromedp.SendKeys(chromedp.ID("username"), acct.username),
		chromedp.SendKeys(chromedp.ID("password"), acct.password),
		chromedp.Click(chromedp.CSS(`#login-form button[type="submit"]`)),
	)
	tb.waitPath(t, "/dashboard")
	waitDashboard(t, tb, acct.username)
}

// waitDashboard waits until the dashboard shows the account of username and has finished
// its other requests, so that later counts of requests see none of the page's own.
func waitDashboard(t *testing.T, tb *tab, username string) {
	t.Helper()
	tb.do(t, "show the account", chromedp.WaitVisible(chromedp.ID("account-details")))
	got := run(t, tb, "read the username", chromedp.Text(chromedp.ID("account-username")))
	if got != username {
		t.Fatalf("dashboard username: got %q, want %q", got, username)
	}
	tb.waitTrue(t, "the dashboard's requests", `["/api/sessions", "/api/activity"].every(
		(p) => performance.getEntriesByType("resource").some(
			(e) => new URL(e.name).pathname === p))`)
}

func checkTokenPlaces(t *testing.T, tb *tab) {
	doc := eval[string](t, tb, "document.cookie")
	if strings.Contains(doc, "refresh_token") {
		t.Errorf("document.cookie = %q: the refresh cookie must not be readable", doc)
	}

	var refresh *network.Cookie
	for _, c := range tb.cookies(t, tb.base+"/auth/refresh") {
		if c.Name == "refresh_token" {
			refresh = c
		}
	}
	if refresh == nil {
		t.Fatalf("no refresh_token cookie for /auth/refresh")
	}
	if !refresh.HTTPOnly || refresh.Path != "/auth" {
		t.Errorf("refresh_token: got HttpOnly %v, path %q; want true, \"/auth\"",
			refresh.HTTPOnly, refresh.Path)
	}

	tok := eval[string](t, tb, storedToken)
	if strings.Count(tok, ".") != 2 {
		t.Fatalf("sessionStorage access_token = %q, want a JWT", tok)
	}
	if strings.Contains(doc, tok) {
		t.Errorf("the access token is in document.cookie")
	}
	inLocal := eval[bool](t, tb, `Object.keys(localStorage).some((k) =>
		k === "access_token" || localStorage.getItem(k).includes(`+jsString(tok)+`))`)
	if inLocal {
		t.Errorf("the access token is in localStorage")
	}
	all := tb.cookies(t, tb.base+"/", tb.base+"/auth/refresh", tb.base+"/api/me")
	for _, c := range all {
		if strings.Contains(c.Value, tok) {
			t.Errorf("the access token is in cookie %s", c.Name)
		}
	}
}

// expectMe calls /api/me through Auth.authFetch and expects 200 with username.
func expectMe(t *testing.T, tb *tab, username string) {
	t.Helper()
	got := eval[meAnswer](t, tb, callMe)
	if want := (meAnswer{Status: 200, Username: username}); got != want {
		t.Fatalf("%s: /api/me: got %+v, want %+v", tb.name, got, want)
	}
}

func takeScreenshots(t *testing.T, tb *tab, dir, username string) {
	pages := []struct{ name, path, ready string }{
		{"home", "/", "#hero-title"},
		{"login", "/login", "#login-form"},
		{"register", "/register", "#register-form"},
		{"dashboard", "/dashboard", "#account-details"},
	}
	sizes := []viewport{{1280, 800, false}, {390, 844, true}}
	for _, size := range sizes {
		tb.setViewport(t, size)
		for _, p := range pages {
			tb.open(t, p.path, p.ready)
			if p.name == "dashboard" {
				waitDashboard(t, tb, username)
			}
			tb.screenshot(t, dir, p.name+"-"+size.String())
		}
	}
	tb.setViewport(t, sizes[0])
}

func checkTamperedRefresh(t *testing.T, tb *tab, username string) {
	refreshes := tb.rec.count("POST", "/auth/refresh")
	calls := tb.rec.count("GET", "/api/me")

	bad := eval[string](t, tb, tamperToken)
	if bad == "" {
		t.Fatalf("no access token to tamper with")
	}
	expectMe(t, tb, username)

	if n := tb.rec.count("POST", "/auth/refresh") - refreshes; n != 1 {
		t.Errorf("POST /auth/refresh: got %d, want exactly 1", n)
	}
	waitStatuses(t, tb, "/api/me", calls, []int64{401, 200})
	if tok := eval[string](t, tb, storedToken); tok == "" || tok == bad {
		t.Errorf("stored token after the refresh: got %q, want a new one", tok)
	}
}

// waitStatuses waits until the GET requests to path sent after the first skip have all been
// answered, then compares their statuses with want.
func waitStatuses(t *testing.T, tb *tab, path string, skip int, want []int64) {
	t.Helper()
	var got []int64
	deadline := time.Now().Add(stepTimeout)
	for {
		got = tb.rec.statuses("GET", path, skip)
		if !contains(got, 0) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !equal(got, want) {
		t.Errorf("%s: statuses of GET %s: got %v, want %v", tb.name, path, got, want)
	}
}

func contains(list []int64, v int64) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// expiredToken returns a properly signed access token for the same user and session as
// current, that expired an hour ago.
func expiredToken(t *testing.T, current string) string {
	t.Helper()
	cfg := token.Config{Alg: "HS256", Secret: []byte(testSecret), Issuer: app.Issuer,
		TTL: 15 * time.Minute, Leeway: 30 * time.Second}
	verifier, err := token.NewIssuer(cfg)
	if err != nil {
		t.Fatalf("token issuer: %v", err)
	}
	claims, err := verifier.Verify(current)
	if err != nil {
		t.Fatalf("verify the page's access token: %v", err)
	}

	cfg.Now = func() time.Time { return time.Now().Add(-75 * time.Minute) }
	minter, err := token.NewIssuer(cfg)
	if err != nil {
		t.Fatalf("token issuer: %v", err)
	}
	expired, _, err := minter.Mint(claims.UserID, claims.SessionID)
	if err != nil {
		t.Fatalf("mint an expired token: %v", err)
	}
	return expired
}

func checkBurst(t *testing.T, tb *tab) {
	expired := expiredToken(t, eval[string](t, tb, storedToken))
	refreshes := tb.rec.count("POST", "/auth/refresh")
	calls := tb.rec.count("GET", "/api/me")

	eval[chromedp.Void](t, tb, `sessionStorage.setItem("access_token", `+jsString(expired)+`)`)
	got := eval[[]int64](t, tb, `Promise.all([1, 2, 3, 4, 5].map(
		() => Auth.authFetch("/api/me").then((res) => res.status)))`)

	if want := []int64{200, 200, 200, 200, 200}; !equal(got, want) {
		t.Errorf("statuses seen by the page: got %v, want %v", got, want)
	}
	if n := tb.rec.count("POST", "/auth/refresh") - refreshes; n != 1 {
		t.Errorf("POST /auth/refresh: got %d, want exactly 1", n)
	}
	if n := tb.rec.count("GET", "/api/me") - calls; n != 10 {
		t.Errorf("GET /api/me: got %d requests, want 10 (5 refused, 5 retried)", n)
	}
}

func checkTwoTabs(t *testing.T, tab1, tab2 *tab, username string) {
	tab2.open(t, "/dashboard", "#account-details")
	waitDashboard(t, tab2, username)
	if n := tab2.rec.count("POST", "/auth/refresh"); n != 1 {
		t.Errorf("tab2 refreshes to get its first token: got %d, want 1", n)
	}
	tok1, tok2 := eval[string](t, tab1, storedToken), eval[string](t, tab2, storedToken)
	if tok2 == "" || tok1 == tok2 {
		t.Errorf("tab2 token: got %q, want its own (tab1 has %q)", tok2, tok1)
	}

	// Take turns: each refresh rotates the shared cookie that the other tab uses next.
	tabs := []*tab{tab1, tab2, tab1, tab2}
	for _, tb := range tabs {
		before := tb.rec.count("POST", "/auth/refresh")
		eval[string](t, tb, tamperToken)
		expectMe(t, tb, username)
		if n := tb.rec.count("POST", "/auth/refresh") - before; n != 1 {
			t.Errorf("%s: POST /auth/refresh: got %d, want 1", tb.name, n)
		}
	}

	refreshBothAtOnce(t, tab1, tab2)

	for _, tb := range []*tab{tab1, tab2} {
		expectMe(t, tb, username)
	}
}

// refreshBothAtOnce breaks both tabs' tokens and calls the API from both at the same time:
// both refreshes must succeed (the tabs take turns under a Web Lock).
func refreshBothAtOnce(t *testing.T, tabs ...*tab) {
	type result struct {
		answer meAnswer
		err    error
	}
	for _, tb := range tabs {
		eval[string](t, tb, tamperToken)
	}
	before := 0
	for _, tb := range tabs {
		before += tb.rec.count("POST", "/auth/refresh")
	}

	results := make([]result, len(tabs))
	var wg sync.WaitGroup
	for i, tb := range tabs {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
			defer cancel()
			results[i].answer, results[i].err = chromedp.Run(ctx,
				chromedp.Evaluate[meAnswer](callMe, chromedp.EvalAwaitPromise))
		})
	}
	wg.Wait()

	after := 0
	for i, tb := range tabs {
		after += tb.rec.count("POST", "/auth/refresh")
		if r := results[i]; r.err != nil || r.answer.Status != 200 {
			t.Errorf("%s: /api/me while both tabs refresh: got %+v, %v; want status 200",
				tb.name, r.answer, r.err)
		}
	}
	if n := after - before; n != len(tabs) {
		t.Errorf("POST /auth/refresh from both tabs at once: got %d, want %d", n, len(tabs))
	}
}

// refreshAfterLogout posts to /auth/refresh from the page with a valid CSRF header.
const refreshAfterLogout = `(async () => {
  const m = document.cookie.match(/(?:^|;\s*)XSRF-TOKEN=([^;]+)/);
  if (!m) { return -1; }
  const res = await fetch("/auth/refresh", { method: "POST", credentials: "include",
    headers: { "X-CSRF-Token": m[1], "Accept": "application/json" } });
  return res.status;
})()`

func checkLogout(t *testing.T, tab1, tab2 *tab) {
	tab1.do(t, "log out", chromedp.Click(chromedp.ID("logout")))
	tab1.waitPath(t, "/")

	switch status := eval[int](t, tab1, refreshAfterLogout); status {
	case 401:
	case -1:
		t.Errorf("no XSRF-TOKEN cookie left after logout")
	default:
		t.Errorf("POST /auth/refresh after logout: got %d, want 401", status)
	}

	tab1.do(t, "open the dashboard", chromedp.Navigate(tab1.base+"/dashboard"))
	tab1.waitPath(t, "/login")

	// tab2 still holds an access token, but its session is gone.
	got := eval[meAnswer](t, tab2, callMe)
	if got.Status != 401 {
		t.Errorf("tab2 /api/me after logout: got %d, want 401", got.Status)
	}
	if tok := eval[string](t, tab2, storedToken); tok != "" {
		t.Errorf("tab2 token after a refused refresh: got %q, want none", tok)
	}
}

// checkCanary makes the page break its own Content Security Policy with an inline script,
// and throw an uncaught error, and checks that the recorder reports both: the console check
// would otherwise pass for not seeing anything at all.
func checkCanary(t *testing.T, tb *tab) {
	tb.open(t, "/", "#hero-title")
	ran := eval[bool](t, tb, `(() => {
		const s = document.createElement("script");
		s.textContent = "window.e2eInlineRan = true";
		document.head.appendChild(s);
		setTimeout(() => { throw new Error("e2e canary"); }, 0);
		return window.e2eInlineRan === true;
	})()`)
	if ran {
		t.Errorf("an inline script ran: the Content Security Policy does not block it")
	}

	waitProblem(t, tb, "a CSP violation", isCSP)
	waitProblem(t, tb, "an uncaught exception", func(p string) bool {
		return strings.Contains(p, "exception") && strings.Contains(p, "e2e canary")
	})
}

// waitProblem waits until the tab's recorder reports a problem that match accepts.
func waitProblem(t *testing.T, tb *tab, what string, match func(string) bool) {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		problems, _ := tb.rec.classify()
		for _, p := range problems {
			if match(p) {
				t.Logf("seen: %s", p)
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s was caused but not reported; problems seen: %q", what, problems)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkConsole fails for every problem any tab recorded, and logs the allowed entries
// (the browser's "Failed to load resource" for the 401s the test caused), counted by text.
func checkConsole(t *testing.T, tabs ...*tab) {
	for _, tb := range tabs {
		problems, allowed := tb.rec.classify()
		for _, p := range problems {
			t.Errorf("%s", p)
		}

		counts := map[string]int{}
		var order []string
		for _, a := range allowed {
			if counts[a] == 0 {
				order = append(order, a)
			}
			counts[a]++
		}
		t.Logf("%s: %d problems; %d entries allowed", tb.name, len(problems), len(allowed))
		for _, a := range order {
			t.Logf("  allowed %d×: %s", counts[a], a)
		}
	}
}

// logProblems logs the problems the tabs recorded so far; a nil tab is skipped.
func logProblems(t *testing.T, tabs ...*tab) {
	for _, tb := range tabs {
		if tb == nil {
			continue
		}
		problems, _ := tb.rec.classify()
		for _, p := range problems {
			t.Logf("page problem: %s", p)
		}
	}
}
