package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/password"
)

// invalidCredentials is the one body of every failed login.
const invalidCredentials = `{"detail":"Invalid credentials"}`

// TestLoginIdentifiers logs in by username in any case and by e-mail address.
func TestLoginIdentifiers(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})
		wantStatus(t, e.browser().register("Carol", "carol@example.com", strongPassword),
			http.StatusCreated)

		logins := []map[string]string{
			{"username": "Carol"},
			{"username": "carol"},
			{"username": "CAROL"},
			{"username": "ｃａｒｏｌ"},
			{"username": " carol "},
			{"username": "carol@example.com"},
			{"username": "CAROL@Example.COM"},
			{"email": "carol@example.com"},
		}
		for _, f := range logins {
			t.Run(f["username"]+f["email"], func(t *testing.T) {
				t.Parallel()
				f["password"] = strongPassword
				r := e.browser().on(t).postJSON("/auth/login", f)
				wantStatus(t, r, http.StatusOK)
				if got := userOf(t, r)["username"]; got != "Carol" {
					t.Errorf("username: got %v, want Carol", got)
				}
			})
		}
	})
}

// TestLoginFailures checks that every failed login gets the same 401 body, whatever the
// cause, and that missing fields are a 400.
func TestLoginFailures(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})
		wantStatus(t, e.browser().register("dave", "dave@example.com", strongPassword),
			http.StatusCreated)
		hash, err := password.New(password.Config{Cost: 4}).Hash(context.Background(),
			strongPassword)
		if err != nil {
			t.Fatal(err)
		}
		createUser(t, e.store, auth.User{Username: "dormant", Email: "dormant@example.com",
			HashedPassword: hash, IsActive: false})

		failures := []struct{ name, login, password string }{
			{"wrong password", "dave", "not dave's password"},
			{"password in another case", "dave", strings.ToUpper(strongPassword)},
			{"unknown user", "nobody-here", strongPassword},
			{"unknown e-mail", "nobody@example.com", strongPassword},
			{"inactive user", "dormant", strongPassword},
			{"inactive user by e-mail", "dormant@example.com", strongPassword},
			{"password over 1024 bytes", "dave", strings.Repeat("p", 2000)},
		}
		for _, tt := range failures {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				r := e.browser().on(t).login(tt.login, tt.password)
				wantError(t, r, http.StatusUnauthorized)
				if got := strings.TrimSpace(string(r.body)); got != invalidCredentials {
					t.Errorf("body: got %s, want %s", got, invalidCredentials)
				}
				if c := setCookieNamed(r, "refresh_token"); c != nil && c.Value != "" {
					t.Errorf("failed login set a refresh cookie")
				}
			})
		}

		missing := []map[string]string{
			{},
			{"username": "dave"},
			{"password": strongPassword},
			{"username": "   ", "password": strongPassword},
			{"email": "", "password": strongPassword},
		}
		for _, f := range missing {
			t.Run("missing fields", func(t *testing.T) {
				t.Parallel()
				wantError(t, e.browser().on(t).postJSON("/auth/login", f),
					http.StatusBadRequest)
			})
		}
	})
}

// TestLegacyHashes logs in users whose stored hash comes from the old system: an unsalted
// SHA-256 digest, upgraded to bcrypt on the first login, and bcrypt under each prefix.
func TestLegacyHashes(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})
		const pass = "an old, unsalted secret"
		sum := sha256.Sum256([]byte(pass))
		digest := hex.EncodeToString(sum[:])

		tests := []struct{ name, hash string }{
			{"sha256", digest},
			{"sha256 upper-case", strings.ToUpper(digest)},
			{"bcrypt 2a", bcryptWithPrefix(t, pass, "$2a$")},
			{"bcrypt 2b", bcryptWithPrefix(t, pass, "$2b$")},
			{"bcrypt 2y", bcryptWithPrefix(t, pass, "$2y$")},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				name := "legacy" + string(rune('a'+i))
				createUser(t, e.store, auth.User{Username: name, Email: name + "@example.com",
					HashedPassword: tt.hash, IsActive: true})
				b := e.browser().on(t)

				wantError(t, b.login(name, pass+"!"), http.StatusUnauthorized)
				if got := storedHash(t, e.store, name); got != tt.hash {
					t.Fatalf("hash after a failed login: got %q, want %q unchanged", got,
						tt.hash)
				}

				wantStatus(t, b.login(name, pass), http.StatusOK)
				after := storedHash(t, e.store, name)
				if !strings.HasPrefix(after, "$2") {
					t.Errorf("hash after login: got %q, want a bcrypt hash", after)
				}
				wantStatus(t, b.login(strings.ToUpper(name), pass), http.StatusOK)
				wantError(t, b.login(name, pass+"!"), http.StatusUnauthorized)
			})
		}
	})
}

// bcryptWithPrefix returns a bcrypt hash of pass at cost 4 with its version prefix
// rewritten.
func bcryptWithPrefix(t *testing.T, pass, prefix string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pass), 4)
	if err != nil {
		t.Fatal(err)
	}
	return prefix + string(h[4:])
}
