package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

func testRollback(t *testing.T, s auth.Store) {
	keep := createUser(t, s, "keeper")
	boom := errors.New("boom")
	var u auth.User
	var act auth.Activity

	err := s.InTx(t.Context(), func(tx auth.Tx) error {
		u = newUser("ghost")
		steps := []func() error{
			func() error { return tx.CreateUser(t.Context(), &u) },
			func() error {
				return tx.CreateSession(t.Context(), &auth.Session{ID: "ghost-sess", UserID: u.ID})
			},
			func() error {
				r := newToken(u.ID, "ghost-sess", "ghost-hash", nil)
				return tx.CreateRefreshToken(t.Context(), &r)
			},
			func() error {
				act = auth.Activity{UserID: &keep.ID, EventType: auth.EventLoginFailed}
				return tx.AddActivity(t.Context(), &act)
			},
			func() error {
				return tx.SetPasswordHash(t.Context(), keep.ID, "changed", base.Add(time.Hour))
			},
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx: got %v, want the error fn returned", err)
	}

	lookups := map[string]func(tx auth.Tx) error{
		"user": func(tx auth.Tx) error {
			_, err := tx.UserByLogin(t.Context(), u.UsernameKey)
			return err
		},
		"session": func(tx auth.Tx) error {
			_, err := tx.SessionByID(t.Context(), "ghost-sess")
			return err
		},
		"token": func(tx auth.Tx) error {
			_, err := tx.RefreshTokenByHash(t.Context(), "ghost-hash")
			return err
		},
	}
	for name, lookup := range lookups {
		if err := s.InTx(t.Context(), lookup); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("%s after rollback: got %v, want ErrNotFound", name, err)
		}
	}
	_, err = activityReader(t, s).ActivityByID(t.Context(), act.ID)
	if !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("activity %d after rollback: got %v, want ErrNotFound", act.ID, err)
	}

	var got auth.User
	inTx(t, s, func(tx auth.Tx) (err error) {
		got, err = tx.UserByID(t.Context(), keep.ID)
		return err
	})
	if fmtUser(got) != fmtUser(keep) {
		t.Errorf("user after rolled back password change:\n got %s\nwant %s", fmtUser(got),
			fmtUser(keep))
	}
}

func testNotFound(t *testing.T, s auth.Store) {
	u := createUser(t, s, "present")
	ctx := t.Context()
	tests := []struct {
		name string
		run  func(tx auth.Tx) error
	}{
		{"UserByID", func(tx auth.Tx) error { _, err := tx.UserByID(ctx, u.ID+1000); return err }},
		{"UserByLogin", func(tx auth.Tx) error {
			_, err := tx.UserByLogin(ctx, "absent")
			return err
		}},
		{"UserByLogin empty", func(tx auth.Tx) error {
			_, err := tx.UserByLogin(ctx, "")
			return err
		}},
		{"SetPasswordHash", func(tx auth.Tx) error {
			return tx.SetPasswordHash(ctx, u.ID+1000, "x", base)
		}},
		{"SessionByID", func(tx auth.Tx) error {
			_, err := tx.SessionByID(ctx, "nope")
			return err
		}},
		{"TouchSession", func(tx auth.Tx) error { return tx.TouchSession(ctx, "nope", base) }},
		{"RevokeSession", func(tx auth.Tx) error { return tx.RevokeSession(ctx, "nope", base) }},
		{"RefreshTokenByHash", func(tx auth.Tx) error {
			_, err := tx.RefreshTokenByHash(ctx, "nope")
			return err
		}},
		{"ChildToken", func(tx auth.Tx) error { _, err := tx.ChildToken(ctx, 12345); return err }},
		{"MarkTokenReplaced", func(tx auth.Tx) error {
			return tx.MarkTokenReplaced(ctx, 12345, base)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.InTx(t.Context(), tt.run)
			if !errors.Is(err, auth.ErrNotFound) || auth.ErrorCode(err) != auth.ENOTFOUND {
				t.Errorf("got %v, want ErrNotFound", err)
			}
		})
	}

	t.Run("SessionWithUser", func(t *testing.T) {
		_, _, err := s.SessionWithUser(t.Context(), "nope")
		if !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
}

func testPing(t *testing.T, s auth.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping: got %v, want nil", err)
	}
}
