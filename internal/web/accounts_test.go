package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/ratelimit"
)

// member is a signed-in account in a test: its browser and its latest access token.
type member struct {
	*browser
	name   string
	access string
}

// signUp registers name in a new browser.
func signUp(t *testing.T, e *env, name string) *member {
	t.Helper()
	b := e.browser()
	r := b.register(name, strings.ToLower(name)+"@example.com", strongPassword)
	wantStatus(t, r, http.StatusCreated)
	return &member{browser: b, name: name, access: accessToken(t, r)}
}

// signIn logs name in from a new browser.
func signIn(t *testing.T, e *env, name string) *member {
	t.Helper()
	b := e.browser()
	r := b.login(name, strongPassword)
	wantStatus(t, r, http.StatusOK)
	return &member{browser: b, name: name, access: accessToken(t, r)}
}

// as returns a copy of m that reports its failures to t, for use in a subtest.
func (m *member) as(t *testing.T) *member {
	b := *m.browser
	b.t = t
	c := *m
	c.browser = &b
	return &c
}

// call sends an API request with the member's access token.
func (m *member) call(method, path, contentType, body string) response {
	m.t.Helper()
	return m.do(method, path, contentType, body,
		map[string]string{"Authorization": "Bearer " + m.access})
}

// get sends GET path with the member's access token and decodes the JSON answer into v.
func (m *member) get(path string, v any) response {
	m.t.Helper()
	r := m.call("GET", path, "", "")
	if r.StatusCode == http.StatusOK {
		if err := json.Unmarshal(r.body, v); err != nil {
			m.t.Fatalf("GET %s: %v: %s", path, err, r.body)
		}
	}
	return r
}

// sessionJSON is an item of GET /api/sessions.
type sessionJSON struct {
	ID         string    `json:"id"`
	Device     string    `json:"device"`
	IP         string    `json:"ip"`
	City       string    `json:"city"`
	Country    string    `json:"country"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"`
	Current    bool      `json:"current"`
}

// sessions lists the member's sessions.
func (m *member) sessions() []sessionJSON {
	m.t.Helper()
	var list []sessionJSON
	wantStatus(m.t, m.get("/api/sessions", &list), http.StatusOK)
	return list
}

// currentSession returns the id of the session the member's access token names.
func (m *member) currentSession() string {
	m.t.Helper()
	for _, s := range m.sessions() {
		if s.Current {
			return s.ID
		}
	}
	m.t.Fatalf("%s: no current session listed", m.name)
	return ""
}

// activityJSON is the body of GET /api/activity and GET /api/admin/activity.
type activityJSON struct {
	Items []struct {
		ID           int64   `json:"id"`
		UserID       *int64  `json:"user_id"`
		Username     string  `json:"username"`
		EventType    string  `json:"event_type"`
		IPAddress    string  `json:"ip_address"`
		DeviceInfo   string  `json:"device_info"`
		City         *string `json:"geolocation_city"`
		Country      *string `json:"geolocation_country"`
		LoginSuccess *bool   `json:"login_success"`
		RiskScore    float64 `json:"risk_score"`
		Reasons      []struct {
			Signal       string  `json:"signal"`
			Contribution float64 `json:"contribution"`
			Detail       string  `json:"detail"`
		} `json:"reasons"`
		CreatedAt time.Time `json:"created_at"`
	} `json:"items"`
	NextBefore *int64 `json:"next_before"`
}

func (a activityJSON) events() []string {
	out := make([]string, 0, len(a.Items))
	for _, it := range a.Items {
		out = append(out, it.EventType)
	}
	return out
}

// TestSessionsAPI lists, revokes one and revokes the other sessions, and checks that a
// revoked session's access token stops working at once.
func TestSessionsAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})
		first := signUp(t, e, "Roamer")
		laptop := signIn(t, e, "Roamer")
		phone := signIn(t, e, "Roamer")
		stranger := signUp(t, e, "Stranger")

		r := first.call("GET", "/api/sessions", "", "")
		wantStatus(t, r, http.StatusOK)
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control: got %q, want no-store", cc)
		}
		list := first.sessions()
		if len(list) != 3 {
			t.Fatalf("got %d sessions, want 3: %+v", len(list), list)
		}
		current := 0
		for _, s := range list {
			if s.Current {
				current++
			}
			if s.ID == "" || s.IP == "" || s.Device == "" || s.CreatedAt.IsZero() ||
				s.LastUsedAt.IsZero() {
				t.Errorf("session lacks a field: %+v", s)
			}
		}
		if current != 1 {
			t.Errorf("got %d sessions marked current, want 1", current)
		}

		laptopID := laptop.currentSession()
		strangerID := stranger.currentSession()
		tests := []struct {
			name   string
			by     *member
			id     string
			status int
		}{
			{"someone else's session", stranger, laptopID, http.StatusNotFound},
			{"unknown id", first, "no-such-session", http.StatusNotFound},
			{"very long id", first, strings.Repeat("x", 300), http.StatusNotFound},
			{"own other session", first, laptopID, http.StatusNoContent},
			{"already revoked", first, laptopID, http.StatusNotFound},
			{"someone else's, from another device", phone, strangerID, http.StatusNotFound},
		}
		for _, tt := range tests {
			r := tt.by.call("DELETE", "/api/sessions/"+url.PathEscape(tt.id), "", "")
			if r.StatusCode != tt.status {
				t.Errorf("%s: got %d, want %d; body %s", tt.name, r.StatusCode, tt.status, r.body)
			}
		}

		wantStatus(t, laptop.me(laptop.access), http.StatusUnauthorized)
		wantStatus(t, laptop.post("/auth/refresh", "", ""), http.StatusUnauthorized)
		wantStatus(t, stranger.me(stranger.access), http.StatusOK)
		wantStatus(t, phone.me(phone.access), http.StatusOK)

		r = first.call("POST", "/api/sessions/revoke-others", "", "")
		wantStatus(t, r, http.StatusOK)
		if n, _ := r.json(t)["revoked"].(float64); n != 1 {
			t.Errorf("revoke-others: got %s, want 1 revoked (the phone)", r.body)
		}
		wantStatus(t, phone.me(phone.access), http.StatusUnauthorized)
		wantStatus(t, first.me(first.access), http.StatusOK)
		if list := first.sessions(); len(list) != 1 || !list[0].Current {
			t.Errorf("after revoke-others: got %+v, want only the current session", list)
		}
		if ids := stranger.sessions(); len(ids) != 1 || ids[0].ID != strangerID {
			t.Errorf("stranger's sessions: got %+v, want only %s", ids, strangerID)
		}

		// Revoking the current session is a logout of this token.
		wantStatus(t, first.call("DELETE", "/api/sessions/"+first.currentSession(), "", ""),
			http.StatusNoContent)
		wantStatus(t, first.me(first.access), http.StatusUnauthorized)

		var feed activityJSON
		wantStatus(t, stranger.get("/api/activity", &feed), http.StatusOK)
		if slices.Contains(feed.events(), auth.EventSessionRevoked) {
			t.Errorf("stranger's activity shows someone else's revocation: %v", feed.events())
		}
	})
}

// TestAccountAPINeedsBearer checks every account and administration route refuses a
// request without a valid access token.
func TestAccountAPINeedsBearer(t *testing.T) {
	e := sqliteEnvFor(t)
	routes := []struct{ method, path string }{
		{"GET", "/api/sessions"},
		{"DELETE", "/api/sessions/abc"},
		{"POST", "/api/sessions/revoke-others"},
		{"POST", "/api/password"},
		{"GET", "/api/activity"},
		{"GET", "/api/admin/users"},
		{"PATCH", "/api/admin/users/1"},
		{"GET", "/api/admin/activity"},
	}
	b := &member{browser: e.browser(), name: "anonymous"}
	for _, rt := range routes {
		for _, hdr := range []string{"", "Bearer", "Bearer not-a-token", "Basic dTpw"} {
			t.Run(rt.method+" "+rt.path+" "+hdr, func(t *testing.T) {
				r := b.as(t).do(rt.method, rt.path, "", "", map[string]string{
					"Authorization": hdr})
				wantStatus(t, r, http.StatusUnauthorized)
				if h := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
					t.Errorf("WWW-Authenticate: got %q, want a Bearer challenge", h)
				}
			})
		}
	}
}

// sqliteEnvFor returns a test server on a fresh SQLite store.
func sqliteEnvFor(t *testing.T) *env {
	t.Helper()
	return newEnv(t, backends["sqlite"](t), options{})
}

// TestChangePassword changes a password, checks the policy, and checks that wrong current
// passwords count towards the login limit.
func TestChangePassword(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{limiter: ratelimit.NewMemory(), limits: auth.Limits{
			LoginAccount: auth.Rule{Name: "login_account", Limit: 20, Period: time.Minute}}})
		m := signUp(t, e, "Changer")
		other := signIn(t, e, "Changer")
		const newPassword = "a brand new passphrase 77"

		tests := []struct {
			name, contentType, body, detail string
		}{
			{"missing fields", "application/json", `{}`, "required"},
			{"wrong current password", "application/json",
				`{"current_password":"nope nope nope","new_password":"` + newPassword + `"}`,
				"incorrect"},
			{"too short", "application/json",
				`{"current_password":"` + strongPassword + `","new_password":"short"}`,
				"at least"},
			{"common", "application/x-www-form-urlencoded",
				"current_password=" + url.QueryEscape(strongPassword) + "&new_password=password123",
				"common"},
			{"same as the e-mail address", "application/json", `{"current_password":"` +
				strongPassword + `","new_password":"Changer@Example.com"}`, "same as"},
			{"unchanged", "application/json", `{"current_password":"` + strongPassword +
				`","new_password":"` + strongPassword + `"}`, "differ"},
			{"not a string", "application/json",
				`{"current_password":1,"new_password":"x"}`, "string"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := m.as(t).call("POST", "/api/password", tt.contentType, tt.body)
				wantStatus(t, r, http.StatusBadRequest)
				if d := r.detail(t); !strings.Contains(d, tt.detail) {
					t.Errorf("detail: got %q, want it to mention %q", d, tt.detail)
				}
			})
		}

		form := "current_password=" + url.QueryEscape(strongPassword) +
			"&new_password=" + url.QueryEscape(newPassword)
		r := m.call("POST", "/api/password", "application/x-www-form-urlencoded", form)
		wantStatus(t, r, http.StatusOK)
		wantStatus(t, m.me(m.access), http.StatusOK)
		wantStatus(t, other.me(other.access), http.StatusUnauthorized)
		wantStatus(t, e.browser().login("Changer", strongPassword), http.StatusUnauthorized)
		wantStatus(t, e.browser().login("Changer", newPassword), http.StatusOK)

		var feed activityJSON
		wantStatus(t, m.get("/api/activity?limit=100", &feed), http.StatusOK)
		events := feed.events()
		if !slices.Contains(events, auth.EventPasswordChange) ||
			!slices.Contains(events, auth.EventPasswordChangeFailed) {
			t.Errorf("activity: got %v, want password_changed and password_change_failed", events)
		}
	})
}

// TestChangePasswordCountsTowardsLoginLimit: password-change attempts and logins of one
// account from one address share the login limit.
func TestChangePasswordCountsTowardsLoginLimit(t *testing.T) {
	e := newEnv(t, backends["sqlite"](t), options{limiter: ratelimit.NewMemory(),
		limits: auth.Limits{
			LoginAccount: auth.Rule{Name: "login_account", Limit: 3, Period: time.Hour}}})
	m := signUp(t, e, "Guesser")
	m.ip = "198.18.1.1"
	wrong := `{"current_password":"guess guess guess","new_password":"whatever it is 42"}`

	for i := range 3 {
		r := m.call("POST", "/api/password", "application/json", wrong)
		if r.StatusCode != http.StatusBadRequest {
			t.Fatalf("attempt %d: got %d, want 400; body %s", i+1, r.StatusCode, r.body)
		}
	}
	r := m.call("POST", "/api/password", "application/json", wrong)
	wantStatus(t, r, http.StatusTooManyRequests)
	if r.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	same, elsewhere := e.browser(), e.browser()
	same.ip, elsewhere.ip = m.ip, "198.18.1.2"
	wantStatus(t, same.login("Guesser", strongPassword), http.StatusTooManyRequests)
	// Another address is not affected.
	wantStatus(t, elsewhere.login("Guesser", strongPassword), http.StatusOK)
}

// TestActivityAPI pages through a user's own activity.
func TestActivityAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})
		m := signUp(t, e, "Diarist")
		for range 4 {
			signIn(t, e, "Diarist")
		}
		other := signUp(t, e, "Neighbour")
		wantStatus(t, e.browser().login("Diarist", "not my password"), http.StatusUnauthorized)

		var all activityJSON
		r := m.get("/api/activity", &all)
		wantStatus(t, r, http.StatusOK)
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control: got %q, want no-store", cc)
		}
		want := []string{auth.EventLoginFailed, auth.EventLoginSuccess, auth.EventLoginSuccess,
			auth.EventLoginSuccess, auth.EventLoginSuccess, auth.EventRegister}
		if got := all.events(); !slices.Equal(got, want) {
			t.Fatalf("events: got %v, want %v (newest first, own only)", got, want)
		}
		if all.NextBefore != nil {
			t.Errorf("next_before: got %d on the last page, want null", *all.NextBefore)
		}
		first := all.Items[0]
		if first.LoginSuccess == nil || *first.LoginSuccess || first.IPAddress == "" ||
			first.DeviceInfo == "" || first.City == nil || first.Country == nil ||
			first.CreatedAt.IsZero() || first.Reasons == nil || first.UserID != nil {
			t.Errorf("item fields: got %+v", first)
		}

		var pages [][]int64
		before := int64(0)
		for range 5 {
			path := "/api/activity?limit=4"
			if before > 0 {
				path += fmt.Sprintf("&before=%d", before)
			}
			var page activityJSON
			wantStatus(t, m.get(path, &page), http.StatusOK)
			var ids []int64
			for _, it := range page.Items {
				ids = append(ids, it.ID)
			}
			pages = append(pages, ids)
			if page.NextBefore == nil {
				break
			}
			before = *page.NextBefore
		}
		if len(pages) != 2 || len(pages[0]) != 4 || len(pages[1]) != 2 {
			t.Fatalf("pages: got %v, want 4 then 2 rows", pages)
		}
		joined := append(append([]int64{}, pages[0]...), pages[1]...)
		for i := 1; i < len(joined); i++ {
			if joined[i] >= joined[i-1] {
				t.Fatalf("pages: got ids %v, want strictly decreasing", joined)
			}
		}

		var theirs activityJSON
		wantStatus(t, other.get("/api/activity", &theirs), http.StatusOK)
		if got := theirs.events(); !slices.Equal(got, []string{auth.EventRegister}) {
			t.Errorf("neighbour's events: got %v, want only register", got)
		}

		for _, q := range []string{"limit=0", "limit=101", "limit=-1", "limit=ten",
			"before=-5", "before=x", "limit=1e2"} {
			t.Run(q, func(t *testing.T) {
				wantStatus(t, m.as(t).call("GET", "/api/activity?"+q, "", ""),
					http.StatusBadRequest)
			})
		}
	})
}
