package auth_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/password"
	"github.com/finintelli/auth/internal/store/sqlite"
	"github.com/finintelli/auth/internal/token"
)

var testSecret = []byte("auth-test-secret-0123456789abcdef-0123456789")

const (
	firefox   = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	chrome    = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0.0.0 Safari/537.36"
	goodPass  = "correct horse battery staple 42"
	zurichIP  = "81.0.0.1"
	sydneyIP  = "1.0.0.1"
	privateIP = "10.0.0.7"
)

// fakeGeo places the addresses of the tests.
type fakeGeo map[string]place

func (g fakeGeo) Lookup(ip netip.Addr) auth.Location {
	p, ok := g[ip.String()]
	if !ok {
		return auth.Location{Country: "Local"}
	}
	lat, lon := p.lat, p.lon
	return auth.Location{City: p.city, Country: p.country, Latitude: &lat, Longitude: &lon}
}

// sink records alerts.
type sink struct {
	mu  sync.Mutex
	got []auth.Activity
}

func (s *sink) Alert(a auth.Activity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, a)
}

func (s *sink) alerts() []auth.Activity {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

// refuse is a limiter that refuses every attempt under the rules it names.
type refuse map[string]bool

func (r refuse) Allow(_ context.Context, rule auth.Rule, _ string) (auth.Decision, error) {
	if r[rule.Name] {
		return auth.Decision{RetryAfter: 30 * time.Second}, nil
	}
	return auth.Decision{Allowed: true}, nil
}

// harness is a service on a fresh SQLite store, with a settable clock.
type harness struct {
	t     *testing.T
	svc   *auth.Service
	store *sqlite.Store
	sink  *sink
	logs  *bytes.Buffer

	mu  sync.Mutex
	now time.Time
}

// newHarness returns a harness; limiter may be nil.
func newHarness(t *testing.T, limiter auth.Limiter, limits auth.Limits) *harness {
	t.Helper()
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })

	h := &harness{t: t, store: store, sink: &sink{}, logs: &bytes.Buffer{}, now: now}
	issuer, err := token.NewIssuer(token.Config{Alg: "HS256", Secret: testSecret,
		Issuer: "finintelli", TTL: 15 * time.Minute, Now: h.clock})
	if err != nil {
		t.Fatal(err)
	}
	h.svc = auth.NewService(auth.Deps{
		Store:         store,
		Passwords:     password.New(password.Config{Cost: 4}),
		AccessTokens:  issuer,
		RefreshTokens: token.NewRefresher(testSecret),
		Limiter:       limiter,
		Geo:           fakeGeo{zurichIP: zurich, sydneyIP: sydney},
		Alerts:        h.sink,
		Logger:        slog.New(slog.NewTextHandler(h.logs, nil)),
		Now:           h.clock,
	}, auth.Config{Limits: limits})
	return h
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = h.now.Add(d)
}

func (h *harness) register(name, ip, ua string) auth.Grant {
	h.t.Helper()
	g, err := h.svc.Register(h.t.Context(), auth.RegisterInput{Username: name,
		Email: name + "@example.com", Password: goodPass}, auth.Client{IP: ip, UserAgent: ua})
	if err != nil {
		h.t.Fatalf("Register(%s): %v", name, err)
	}
	return g
}

func (h *harness) login(name, pass, ip, ua string) (auth.Grant, error) {
	return h.svc.Login(h.t.Context(), name, pass, auth.Client{IP: ip, UserAgent: ua})
}

// activity returns the whole log, oldest first.
func (h *harness) activity() []auth.Activity {
	h.t.Helper()
	var out []auth.Activity
	for id := int64(1); ; id++ {
		a, err := h.store.ActivityByID(h.t.Context(), id)
		if errors.Is(err, auth.ErrNotFound) {
			return out
		}
		if err != nil {
			h.t.Fatalf("activity %d: %v", id, err)
		}
		out = append(out, a)
	}
}

// signalsOf lists the signals of a row read back from the store, or "-" without reasons.
func signalsOf(a auth.Activity) string {
	raw, ok := a.ExtraInfo["reasons"].([]any)
	if !ok {
		return "-"
	}
	var names []string
	for _, r := range raw {
		m, _ := r.(map[string]any)
		name, _ := m["signal"].(string)
		names = append(names, name)
	}
	return "[" + strings.Join(names, " ") + "]"
}

// TestActivityLog follows one account through its events and checks every row.
func TestActivityLog(t *testing.T) {
	h := newHarness(t, nil, auth.Limits{})
	ctx := t.Context()

	h.register("Alice", zurichIP, firefox)
	h.advance(time.Hour)
	if _, err := h.login("alice", "wrong password", zurichIP, firefox); err == nil {
		t.Fatal("login with a wrong password succeeded")
	}
	if _, err := h.login("  ALICE@Example.com ", "", privateIP, firefox); err == nil {
		t.Fatal("login without a password succeeded")
	}
	if _, err := h.login("  Nobody@Example.COM ", "whatever", privateIP, chrome); err == nil {
		t.Fatal("login of an unknown user succeeded")
	}
	h.advance(time.Hour)
	g, err := h.login("alice", goodPass, sydneyIP, firefox)
	if err != nil {
		t.Fatalf("login from Sydney: %v", err)
	}
	h.advance(time.Hour)
	if _, err := h.login("alice", goodPass, sydneyIP, chrome); err != nil {
		t.Fatalf("login with Chrome: %v", err)
	}
	g, err = h.svc.Refresh(ctx, g.RefreshToken, auth.Client{IP: sydneyIP, UserAgent: firefox})
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	if err := h.svc.Logout(ctx, g.RefreshToken, auth.Client{IP: sydneyIP}); err != nil {
		t.Fatalf("Logout: %v", err)
	}

	rows := h.activity()
	type row struct {
		event, user, device, place, login, risk, signals string
	}
	want := []row{
		{"register", "1", "Firefox on Linux (desktop)", "Zürich CH 47.3769,8.5417", "nil",
			"0", "-"},
		{"login_failed", "1", "Firefox on Linux (desktop)", "Zürich CH 47.3769,8.5417",
			"false", "0", "[]"},
		{"login_failed", "nil", "Chrome on Windows (desktop)", " Local -", "false", "0", "[]"},
		{"login_success", "1", "Firefox on Linux (desktop)", "Sydney AU -33.8688,151.2093",
			"true", "0.88", "[new_country impossible_travel]"},
		{"login_success", "1", "Chrome on Windows (desktop)", "Sydney AU -33.8688,151.2093",
			"true", "0.3", "[new_device]"},
		{"refresh", "1", "Firefox on Linux (desktop)", "Sydney AU -33.8688,151.2093", "nil",
			"0", "-"},
		{"logout", "1", "Unknown device", "Sydney AU -33.8688,151.2093", "nil", "0", "-"},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d: %+v", len(rows), len(want), rows)
	}
	for i, a := range rows {
		got := row{a.EventType, fmtPtr(a.UserID), a.Client.DeviceInfo,
			a.Client.City + " " + a.Client.Country + " " + fmtPos(a.Client),
			fmtPtr(a.LoginSuccess), fmtFloat(a.RiskScore), signalsOf(a)}
		if got != want[i] {
			t.Errorf("row %d:\n got %+v\nwant %+v", i+1, got, want[i])
		}
		if a.Client.IP == "" || a.CreatedAt.IsZero() {
			t.Errorf("row %d: got IP %q at %v, want both set", i+1, a.Client.IP, a.CreatedAt)
		}
	}
	if got := rows[2].ExtraInfo["attempted_username"]; got != "nobody@example.com" {
		t.Errorf("unknown user's row: got attempted_username %v, want the normalised name",
			got)
	}
	if rows[0].Client.UserAgent != firefox {
		t.Errorf("user_agent: got %q, want %q", rows[0].Client.UserAgent, firefox)
	}

	alerts := h.sink.alerts()
	if len(alerts) != 1 || alerts[0].EventType != auth.EventLoginSuccess ||
		alerts[0].Client.Country != "AU" || alerts[0].RiskScore != 0.88 {
		t.Fatalf("alerts: got %+v, want the login from Sydney", alerts)
	}
	logs := h.logs.String()
	if !strings.Contains(logs, `level=WARN msg="high-risk event" event=login_success user_id=1`) {
		t.Errorf("log: want a WARN 'high-risk event' line for user 1:\n%s", logs)
	}
	if strings.Contains(logs, "user_id=0x") {
		t.Errorf("log: a user id is logged as a pointer:\n%s", logs)
	}
}

func fmtPtr[T any](p *T) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func fmtPos(c auth.Client) string {
	if c.Latitude == nil || c.Longitude == nil {
		return "-"
	}
	return fmtFloat(*c.Latitude) + "," + fmtFloat(*c.Longitude)
}

// TestRateLimitedRecordedOnce floods refused logins and registrations and checks that one
// rate_limited row per rule and key is written per period of the rule.
func TestRateLimitedRecordedOnce(t *testing.T) {
	h := newHarness(t, nil, auth.Limits{})
	h.register("carol", zurichIP, firefox)

	limits := auth.Limits{
		LoginAccount: auth.Rule{Name: "login_account", Limit: 5, Period: time.Minute},
		RegisterIP:   auth.Rule{Name: "register_ip", Limit: 5, Period: time.Hour},
	}
	h2 := &harness{t: t, store: h.store, sink: &sink{}, logs: &bytes.Buffer{}, now: now}
	h2.svc = auth.NewService(auth.Deps{Store: h.store,
		Passwords:    password.New(password.Config{Cost: 4}),
		AccessTokens: mustIssuer(t, h2.clock), RefreshTokens: token.NewRefresher(testSecret),
		Limiter: refuse{"login_account": true, "register_ip": true},
		Geo:     fakeGeo{zurichIP: zurich}, Logger: slog.New(slog.NewTextHandler(h2.logs, nil)),
		Now: h2.clock}, auth.Config{Limits: limits})

	for range 20 {
		_, err := h2.login("Carol", "guess", zurichIP, firefox)
		if !auth.IsCode(err, auth.ERATELIMITED) {
			t.Fatalf("login: got %v, want ERATELIMITED", err)
		}
		_, err = h2.login("ghost", "guess", zurichIP, firefox)
		if !auth.IsCode(err, auth.ERATELIMITED) {
			t.Fatalf("login: got %v, want ERATELIMITED", err)
		}
		_, err = h2.svc.Register(t.Context(), auth.RegisterInput{Username: "dave",
			Email: "dave@example.com", Password: goodPass}, auth.Client{IP: sydneyIP})
		if !auth.IsCode(err, auth.ERATELIMITED) {
			t.Fatalf("register: got %v, want ERATELIMITED", err)
		}
	}
	h2.advance(2 * time.Minute) // a new period of login_account, not of register_ip
	h2.login("carol", "guess", zurichIP, firefox)
	h2.svc.Register(t.Context(), auth.RegisterInput{Username: "dave",
		Email: "dave@example.com", Password: goodPass}, auth.Client{IP: sydneyIP})

	var got []string
	for _, a := range h.activity() {
		if a.EventType != auth.EventRateLimited {
			continue
		}
		got = append(got, fmtPtr(a.UserID)+" "+a.ExtraInfo["rule"].(string)+" "+
			strOf(a.ExtraInfo["attempted_username"])+" "+a.Client.Country)
	}
	want := []string{
		"1 login_account  CH",
		"nil login_account ghost CH",
		"nil register_ip  Local",
		"1 login_account  CH",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rate_limited rows:\n got %q\nwant %q", got, want)
	}
	if n := strings.Count(h2.logs.String(), "level=WARN msg=\"rate limited\""); n != 4 {
		t.Errorf("got %d WARN lines for refusals, want 4 (one per row)", n)
	}
}

func strOf(v any) string {
	s, _ := v.(string)
	return s
}

func mustIssuer(t *testing.T, now func() time.Time) *token.Issuer {
	t.Helper()
	issuer, err := token.NewIssuer(token.Config{Alg: "HS256", Secret: testSecret,
		Issuer: "finintelli", TTL: 15 * time.Minute, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return issuer
}

// TestFailureSignals checks a failure burst on an account and password spraying from one
// address, end to end through the store.
func TestFailureSignals(t *testing.T) {
	h := newHarness(t, nil, auth.Limits{})
	h.register("erin", zurichIP, firefox)
	for _, name := range []string{"vic1", "vic2", "vic3", "vic4", "vic5"} {
		h.register(name, zurichIP, firefox)
	}
	h.advance(24 * time.Hour)

	for range 6 {
		h.login("erin", "guess", sydneyIP, chrome)
	}
	for _, name := range []string{"vic1", "vic2", "vic3", "vic4", "ghost"} {
		h.login(name, "guess", privateIP, chrome)
	}
	h.advance(time.Minute)
	if _, err := h.login("erin", goodPass, zurichIP, firefox); err != nil {
		t.Fatalf("erin: %v", err)
	}
	if _, err := h.login("vic5", goodPass, privateIP, firefox); err != nil {
		t.Fatalf("v5: %v", err)
	}

	rows := h.activity()
	erin, v5 := rows[len(rows)-2], rows[len(rows)-1]
	if got := signalsOf(erin); got != "[failure_burst]" {
		t.Errorf("erin's login: got signals %s, want [failure_burst]", got)
	}
	if got := signalsOf(v5); got != "[spraying]" {
		t.Errorf("v5's login from the spraying address: got signals %s, want [spraying]", got)
	}
	lastFailure := rows[len(rows)-3]
	if lastFailure.EventType != auth.EventLoginFailed || lastFailure.UserID != nil ||
		signalsOf(lastFailure) != "[]" {
		t.Errorf("5th sprayed failure: got %s %s, want login_failed without signals "+
			"(4 accounts before it)", lastFailure.EventType, signalsOf(lastFailure))
	}
	sixth := rows[len(rows)-8]
	if got := signalsOf(sixth); sixth.EventType != auth.EventLoginFailed ||
		got != "[failure_burst]" {
		t.Errorf("6th failure on erin: got %s %s, want login_failed [failure_burst]",
			sixth.EventType, got)
	}
}

// TestRefreshReuseAlert checks that a reused refresh token scores 1 and is alerted.
func TestRefreshReuseAlert(t *testing.T) {
	h := newHarness(t, nil, auth.Limits{})
	g := h.register("frank", zurichIP, firefox)
	if _, err := h.svc.Refresh(t.Context(), g.RefreshToken,
		auth.Client{IP: zurichIP}); err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	h.advance(time.Hour)
	_, err := h.svc.Refresh(t.Context(), g.RefreshToken, auth.Client{IP: sydneyIP})
	if !errors.Is(err, auth.ErrSessionExpired) {
		t.Fatalf("reuse: got %v, want ErrSessionExpired", err)
	}

	alerts := h.sink.alerts()
	if len(alerts) != 1 || alerts[0].EventType != auth.EventRefreshReuse ||
		alerts[0].RiskScore != 1 {
		t.Fatalf("alerts: got %+v, want one refresh_reuse_detected scoring 1", alerts)
	}
	rows := h.activity()
	last := rows[len(rows)-1]
	if last.EventType != auth.EventRefreshReuse || signalsOf(last) != "[refresh_reuse]" ||
		last.Client.Country != "AU" {
		t.Errorf("last row: got %s %s from %s, want refresh_reuse_detected [refresh_reuse] "+
			"from AU", last.EventType, signalsOf(last), last.Client.Country)
	}
}
