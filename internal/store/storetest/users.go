package storetest

import (
	"errors"
	"strings"
	"testing"

	"github.com/finintelli/auth/internal/auth"
)

func testCreateUser(t *testing.T, s auth.Store) {
	admin := newUser("Root.Admin")
	admin.IsAdmin = true
	plain := newUser("plain_user")
	plain.IsActive = false

	for _, u := range []*auth.User{&admin, &plain} {
		inTx(t, s, func(tx auth.Tx) error { return tx.CreateUser(t.Context(), u) })
		if u.ID <= 0 {
			t.Fatalf("%s: got ID %d, want > 0", u.Username, u.ID)
		}
		if u.CreatedAt.IsZero() || !u.UpdatedAt.Equal(u.CreatedAt) {
			t.Errorf("%s: got created %v updated %v, want equal non-zero times", u.Username,
				u.CreatedAt, u.UpdatedAt)
		}

		var got auth.User
		inTx(t, s, func(tx auth.Tx) (err error) {
			got, err = tx.UserByID(t.Context(), u.ID)
			return err
		})
		if fmtUser(got) != fmtUser(*u) {
			t.Errorf("UserByID:\n got %s\nwant %s", fmtUser(got), fmtUser(*u))
		}
	}
	if admin.ID == plain.ID {
		t.Errorf("got the same ID %d for two users", admin.ID)
	}
}

func testUserByLogin(t *testing.T, s auth.Store) {
	u := newUser("MixedCase")
	u.Email = "Mixed.Case@Example.COM"
	u.EmailKey = auth.EmailKey(u.Email)
	inTx(t, s, func(tx auth.Tx) error { return tx.CreateUser(t.Context(), &u) })
	createUser(t, s, "someone_else")

	tests := []struct {
		name, key string
	}{
		{"username key", auth.UsernameKey("MixedCase")},
		{"username typed in another case", auth.LoginKey("MIXEDCASE")},
		{"full-width username", auth.LoginKey("ＭｉｘｅｄＣａｓｅ")},
		{"email key", auth.EmailKey("Mixed.Case@Example.COM")},
		{"email typed in lower case with spaces", auth.LoginKey(" mixed.case@example.com ")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got auth.User
			inTx(t, s, func(tx auth.Tx) (err error) {
				got, err = tx.UserByLogin(t.Context(), tt.key)
				return err
			})
			if fmtUser(got) != fmtUser(u) {
				t.Errorf("UserByLogin(%q):\n got %s\nwant %s", tt.key, fmtUser(got), fmtUser(u))
			}
		})
	}
}

func testUserConflicts(t *testing.T, s auth.Store) {
	alice := newUser("Alice")
	inTx(t, s, func(tx auth.Tx) error { return tx.CreateUser(t.Context(), &alice) })

	tests := []struct {
		name, username, email, want string
	}{
		{"same username", "Alice", "other1@example.com", "Username already registered"},
		{"username in other case", "aLICE", "other2@example.com", "Username already registered"},
		{"full-width username", "Ａｌｉｃｅ", "other3@example.com", "Username already registered"},
		{"email in other case", "other4", "ALICE@Example.com", "Email already registered"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bystander := newUser("bystander" + strings.Repeat("x", i))
			dup := newUser(tt.username)
			dup.Email, dup.EmailKey = tt.email, auth.EmailKey(tt.email)

			err := s.InTx(t.Context(), func(tx auth.Tx) error {
				if err := tx.CreateUser(t.Context(), &bystander); err != nil {
					return err
				}
				return tx.CreateUser(t.Context(), &dup)
			})
			wantCode(t, err, auth.ECONFLICT)
			var e *auth.Error
			errors.As(err, &e)
			if e.Message != tt.want {
				t.Errorf("got message %q, want %q", e.Message, tt.want)
			}

			// The user created before the conflict in the same transaction is gone too.
			err = s.InTx(t.Context(), func(tx auth.Tx) error {
				_, err := tx.UserByLogin(t.Context(), bystander.UsernameKey)
				return err
			})
			if !errors.Is(err, auth.ErrNotFound) {
				t.Errorf("bystander after rollback: got %v, want ErrNotFound", err)
			}
		})
	}

	var got auth.User
	inTx(t, s, func(tx auth.Tx) (err error) {
		got, err = tx.UserByID(t.Context(), alice.ID)
		return err
	})
	if fmtUser(got) != fmtUser(alice) {
		t.Errorf("alice after conflicts:\n got %s\nwant %s", fmtUser(got), fmtUser(alice))
	}
}

func testSetPasswordHash(t *testing.T, s auth.Store) {
	u := createUser(t, s, "changer")
	other := createUser(t, s, "bystander")
	at := base.Add(42e9)
	hash := "$2a$12$" + strings.Repeat("y", 53)

	inTx(t, s, func(tx auth.Tx) error {
		return tx.SetPasswordHash(t.Context(), u.ID, hash, at)
	})

	want := u
	want.HashedPassword, want.UpdatedAt = hash, at
	for _, w := range []auth.User{want, other} {
		var got auth.User
		inTx(t, s, func(tx auth.Tx) (err error) {
			got, err = tx.UserByID(t.Context(), w.ID)
			return err
		})
		if fmtUser(got) != fmtUser(w) {
			t.Errorf("after SetPasswordHash:\n got %s\nwant %s", fmtUser(got), fmtUser(w))
		}
	}
}
