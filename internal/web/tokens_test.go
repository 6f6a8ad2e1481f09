package web_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/token"
)

// wantBearerRejected checks a 401 from the API with a Bearer challenge.
func wantBearerRejected(t *testing.T, r response) {
	t.Helper()
	wantError(t, r, http.StatusUnauthorized)
	if h := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
		t.Errorf("WWW-Authenticate: got %q, want a Bearer challenge", h)
	}
}

// claimsOf decodes the payload of a JWT without checking it.
func claimsOf(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("token with %d parts", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// flip changes one character of s at index i to another base64url character.
func flip(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

// TestBearerRejected checks that every bad access token is a 401 with a Bearer challenge,
// never a 403.
func TestBearerRejected(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})
		access := accessToken(t, e.browser().register("holly", "holly@example.com",
			strongPassword))
		claims := claimsOf(t, access)
		sid, _ := claims["sid"].(string)
		parts := strings.Split(access, ".")

		other, err := token.NewIssuer(token.Config{Alg: "HS256",
			Secret: []byte("another-secret-0123456789abcdef-0123456789"),
			Issuer: "finintelli", TTL: 15 * time.Minute, Now: e.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		foreign, _, err := other.Mint(1, sid)
		if err != nil {
			t.Fatal(err)
		}
		none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) +
			"." + parts[1] + "."

		tests := []struct{ name, header string }{
			{"no header", ""},
			{"basic scheme", "Basic aG9sbHk6cGFzcw=="},
			{"empty bearer", "Bearer "},
			{"garbage", "Bearer not-a-token"},
			{"tampered payload", "Bearer " + parts[0] + "." + flip(parts[1], 5) + "." +
				parts[2]},
			{"tampered signature", "Bearer " + parts[0] + "." + parts[1] + "." +
				flip(parts[2], 3)},
			{"no signature", "Bearer " + parts[0] + "." + parts[1] + "."},
			{"other secret", "Bearer " + foreign},
			{"alg none", "Bearer " + none},
			{"very long", "Bearer " + strings.Repeat("a", 5000)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				b := e.browser().on(t)
				r := b.do("GET", "/api/me", "", "", map[string]string{"Authorization": tt.header})
				wantBearerRejected(t, r)
			})
		}

		t.Run("valid", func(t *testing.T) {
			t.Parallel()
			r := e.browser().on(t).me(access)
			wantStatus(t, r, http.StatusOK)
			if got := r.json(t)["username"]; got != "holly" {
				t.Errorf("username: got %v, want holly", got)
			}
		})
	})
}

// TestAccessTokenExpiry moves the clock to just inside and just past the token's lifetime
// plus the 30-second leeway.
func TestAccessTokenExpiry(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})
		b := e.browser()
		access := accessToken(t, b.register("ivan", "ivan@example.com", strongPassword))

		e.clock.Advance(15*time.Minute + 29*time.Second)
		wantStatus(t, b.me(access), http.StatusOK)
		e.clock.Advance(2 * time.Second)
		wantBearerRejected(t, b.me(access))

		// A refresh still works and gives a token that is valid again.
		r := b.post("/auth/refresh", "", "")
		wantStatus(t, r, http.StatusOK)
		wantStatus(t, b.me(accessToken(t, r)), http.StatusOK)
	})
}

// TestAccessTokenRevoked checks that logging out ends the session's access tokens at once.
func TestAccessTokenRevoked(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})
		b := e.browser()
		access := accessToken(t, b.register("judy", "judy@example.com", strongPassword))
		wantStatus(t, b.me(access), http.StatusOK)

		other := e.browser()
		otherAccess := accessToken(t, other.login("judy", strongPassword))

		wantStatus(t, b.post("/auth/logout", "", ""), http.StatusOK)
		wantBearerRejected(t, b.me(access))
		wantStatus(t, other.me(otherAccess), http.StatusOK) // another session lives on
	})
}

// TestReuseRecorded checks that presenting a rotated refresh token again revokes the session
// and writes a refresh_reuse_detected row with risk score 1.
func TestReuseRecorded(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})
		b := e.browser()
		r := b.register("kim", "kim@example.com", strongPassword)
		wantStatus(t, r, http.StatusCreated)
		uid := int64(userOf(t, r)["id"].(float64))
		old := b.refreshCookie()
		wantStatus(t, b.post("/auth/refresh", "", ""), http.StatusOK)

		if n := countEvents(t, e.store, auth.EventRefreshReuse); n != 0 {
			t.Fatalf("before reuse: got %d reuse rows, want 0", n)
		}
		thief := e.browser()
		thief.setRefresh(old)
		wantError(t, thief.post("/auth/refresh", "", ""), http.StatusUnauthorized)
		wantError(t, b.post("/auth/refresh", "", ""), http.StatusUnauthorized)

		var found bool
		for _, a := range activities(t, e.store) {
			if a.EventType != auth.EventRefreshReuse {
				continue
			}
			found = true
			if a.RiskScore != 1 {
				t.Errorf("risk_score: got %v, want 1", a.RiskScore)
			}
			if a.UserID == nil || *a.UserID != uid {
				t.Errorf("user_id: got %v, want %d", a.UserID, uid)
			}
		}
		if !found {
			t.Errorf("no %s row in the activity log", auth.EventRefreshReuse)
		}
	})
}

// countEvents counts the activity rows of one type.
func countEvents(t *testing.T, s auth.Store, event string) int {
	t.Helper()
	n := 0
	for _, a := range activities(t, s) {
		if a.EventType == event {
			n++
		}
	}
	return n
}
