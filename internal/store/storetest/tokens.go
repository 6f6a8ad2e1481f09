package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// tokenByHash reads a token in a transaction of its own.
func tokenByHash(t *testing.T, s auth.Store, hash string) auth.RefreshToken {
	t.Helper()
	var r auth.RefreshToken
	inTx(t, s, func(tx auth.Tx) (err error) {
		r, err = tx.RefreshTokenByHash(t.Context(), hash)
		return err
	})
	return r
}

func testRefreshTokens(t *testing.T, s auth.Store) {
	u := createUser(t, s, "rotator")
	sess := createSession(t, s, u.ID, "sess-rot")
	parent := createToken(t, s, u.ID, sess.ID, "hash-parent", nil)
	if parent.ID <= 0 {
		t.Fatalf("got token ID %d, want > 0", parent.ID)
	}

	if got := tokenByHash(t, s, parent.TokenHash); fmtToken(got) != fmtToken(parent) {
		t.Errorf("RefreshTokenByHash:\n got %s\nwant %s", fmtToken(got), fmtToken(parent))
	}
	err := s.InTx(t.Context(), func(tx auth.Tx) error {
		_, err := tx.ChildToken(t.Context(), parent.ID)
		return err
	})
	if !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("ChildToken before rotation: got %v, want ErrNotFound", err)
	}

	at := base.Add(time.Minute)
	child := newToken(u.ID, sess.ID, "hash-child", &parent.ID)
	inTx(t, s, func(tx auth.Tx) error {
		if err := tx.MarkTokenReplaced(t.Context(), parent.ID, at); err != nil {
			return err
		}
		return tx.CreateRefreshToken(t.Context(), &child)
	})

	parent.ReplacedAt, parent.LastUsedAt = &at, &at
	if got := tokenByHash(t, s, parent.TokenHash); fmtToken(got) != fmtToken(parent) {
		t.Errorf("replaced parent:\n got %s\nwant %s", fmtToken(got), fmtToken(parent))
	}
	var got auth.RefreshToken
	inTx(t, s, func(tx auth.Tx) (err error) {
		got, err = tx.ChildToken(t.Context(), parent.ID)
		return err
	})
	if fmtToken(got) != fmtToken(child) {
		t.Errorf("ChildToken:\n got %s\nwant %s", fmtToken(got), fmtToken(child))
	}
}

func testSecondChild(t *testing.T, s auth.Store) {
	u := createUser(t, s, "forker")
	sess := createSession(t, s, u.ID, "sess-fork")
	parent := createToken(t, s, u.ID, sess.ID, "hash-root", nil)
	first := createToken(t, s, u.ID, sess.ID, "hash-first", &parent.ID)

	err := s.InTx(t.Context(), func(tx auth.Tx) error {
		second := newToken(u.ID, sess.ID, "hash-second", &parent.ID)
		return tx.CreateRefreshToken(t.Context(), &second)
	})
	wantCode(t, err, auth.ECONFLICT)

	err = s.InTx(t.Context(), func(tx auth.Tx) error {
		_, err := tx.RefreshTokenByHash(t.Context(), "hash-second")
		return err
	})
	if !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("rejected second child: got %v, want ErrNotFound", err)
	}
	var got auth.RefreshToken
	inTx(t, s, func(tx auth.Tx) (err error) {
		got, err = tx.ChildToken(t.Context(), parent.ID)
		return err
	})
	if got.ID != first.ID {
		t.Errorf("ChildToken: got token %d, want %d", got.ID, first.ID)
	}
}

// testTokenWithoutSession covers tokens issued before sessions existed: no session, no
// parent, and the zero CreatedAt filled in by the store.
func testTokenWithoutSession(t *testing.T, s auth.Store) {
	u := createUser(t, s, "legacy_holder")
	r := newToken(u.ID, "", "hash-legacy", nil)
	r.CreatedAt = time.Time{}
	inTx(t, s, func(tx auth.Tx) error { return tx.CreateRefreshToken(t.Context(), &r) })
	if r.CreatedAt.IsZero() {
		t.Fatalf("CreateRefreshToken left CreatedAt zero")
	}

	if got := tokenByHash(t, s, r.TokenHash); fmtToken(got) != fmtToken(r) {
		t.Errorf("RefreshTokenByHash:\n got %s\nwant %s", fmtToken(got), fmtToken(r))
	}
}
