package web_test

import (
	"bytes"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/finintelli/auth/internal/auth"
)

// TestRegisterResponse checks the body of a successful registration.
func TestRegisterResponse(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})
		b := e.browser()

		r := b.register("Newcomer", "newcomer@example.com", strongPassword)
		wantStatus(t, r, http.StatusCreated)
		body := r.json(t)

		if parts := strings.Split(accessToken(t, r), "."); len(parts) != 3 {
			t.Errorf("access_token: got %d dot-separated parts, want 3", len(parts))
		}
		if got := body["token_type"]; got != "bearer" {
			t.Errorf("token_type: got %v, want bearer", got)
		}
		exp, ok := body["expires_in"].(float64)
		if !ok || exp != math.Trunc(exp) || exp < 1 || exp > 900 {
			t.Errorf("expires_in: got %v, want an integer in 1..900", body["expires_in"])
		}

		u := userOf(t, r)
		want := map[string]any{"username": "Newcomer", "email": "newcomer@example.com",
			"is_active": true, "is_admin": false}
		for k, v := range want {
			if u[k] != v {
				t.Errorf("user.%s: got %v, want %v", k, u[k], v)
			}
		}
		if id, ok := u["id"].(float64); !ok || id < 1 {
			t.Errorf("user.id: got %v, want a positive number", u["id"])
		}
		for _, secret := range []string{"hashed_password", "$2a$", "$2b$", "$2y$"} {
			if bytes.Contains(r.body, []byte(secret)) {
				t.Errorf("body contains %q: %s", secret, r.body)
			}
		}
	})
}

// TestRegisterConflicts checks that usernames and e-mail addresses are unique whatever
// their case or Unicode form, and that a refused registration leaves nothing behind.
func TestRegisterConflicts(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})
		const firstPass = "alice's own passphrase 1"
		wantStatus(t, e.browser().register("alice", "alice@example.com", firstPass),
			http.StatusCreated)

		tests := []struct {
			name, username, email string
		}{
			{"username in another case", "Alice", "alice2@example.com"},
			{"username in capitals", "ALICE", "alice3@example.com"},
			{"full-width username", "ａｌｉｃｅ", "alice4@example.com"},
			{"e-mail in another case", "alice5", "Alice@EXAMPLE.com"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				b := e.browser().on(t)
				wantError(t, b.register(tt.username, tt.email, strongPassword),
					http.StatusConflict)

				// Neither the new e-mail nor the new username may log in: no row was kept.
				for _, login := range []string{tt.email, tt.username} {
					if k := auth.LoginKey(login); k == "alice" || k == "alice@example.com" {
						continue // alice's own login
					}
					wantError(t, b.login(login, strongPassword), http.StatusUnauthorized)
				}
				wantError(t, b.login("alice", strongPassword), http.StatusUnauthorized)
				wantStatus(t, b.login("alice", firstPass), http.StatusOK)
			})
		}
	})
}

// TestRegisterPolicy checks that input against the username, e-mail and password rules is
// refused with a 400 that says why.
func TestRegisterPolicy(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})

		tests := []struct {
			name, username, email, password string
			detail                          string // a word the detail must contain
		}{
			{"short username", "ab", "ab@example.com", strongPassword, "username"},
			{"username with space", "bad name", "bn@example.com", strongPassword, "username"},
			{"username with @", "a@b", "ab2@example.com", strongPassword, "username"},
			{"empty username", "", "empty@example.com", strongPassword, "username"},
			{"username too long", strings.Repeat("u", 65), "long@example.com",
				strongPassword, "username"},
			{"e-mail without @", "mailless", "not-an-email", strongPassword, "e-mail"},
			{"e-mail without dot", "dotless", "a@localhost", strongPassword, "e-mail"},
			{"e-mail with name", "named", "Bob <bob@example.com>", strongPassword, "e-mail"},
			{"empty e-mail", "nomail", "", strongPassword, "e-mail"},
			{"7-char password", "shorty", "shorty@example.com", "abcde12", "password"},
			{"empty password", "nopass", "nopass@example.com", "", "password"},
			{"password is username", "longusername1", "lu@example.com", "longusername1",
				"password"},
			{"password is username in capitals", "otherusername2", "ou@example.com",
				"OTHERUSERNAME2", "password"},
			{"password is e-mail", "mailpass", "mailpass@example.com",
				"mailpass@example.com", "password"},
			{"common password1", "common1", "common1@example.com", "password1", "common"},
			{"common iloveyou1", "common2", "common2@example.com", "iloveyou1", "common"},
			{"common in capitals", "common3", "common3@example.com", "Password1", "common"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				b := e.browser().on(t)
				d := wantError(t, b.register(tt.username, tt.email, tt.password),
					http.StatusBadRequest)
				if !strings.Contains(strings.ToLower(d), tt.detail) {
					t.Errorf("detail: got %q, want it to mention %q", d, tt.detail)
				}
			})
		}

		t.Run("valid input", func(t *testing.T) {
			t.Parallel()
			b := e.browser().on(t)
			wantStatus(t, b.register("Valid.User-1", "valid.user+tag@example.co.uk",
				strongPassword), http.StatusCreated)
		})
	})
}

// TestLongPasswords checks that every byte of a password over bcrypt's 72 counts.
func TestLongPasswords(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})
		b := e.browser()

		prefix := strings.Repeat("long passphrase ", 5)[:72]
		pass := prefix + strings.Repeat("A", 28)
		other := prefix + strings.Repeat("B", 28)
		if len(pass) != 100 || len(other) != 100 {
			t.Fatalf("passwords of %d and %d bytes, want 100", len(pass), len(other))
		}

		wantStatus(t, b.register("longpass", "longpass@example.com", pass), http.StatusCreated)
		wantStatus(t, b.login("longpass", pass), http.StatusOK)
		wantError(t, b.login("longpass", other), http.StatusUnauthorized)
		wantError(t, b.login("longpass", prefix), http.StatusUnauthorized)
	})
}
