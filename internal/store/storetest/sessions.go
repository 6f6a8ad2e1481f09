package storetest

import (
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

func testSessions(t *testing.T, s auth.Store) {
	u := createUser(t, s, "sessioner")
	sess := createSession(t, s, u.ID, "sess-1")

	var got auth.Session
	inTx(t, s, func(tx auth.Tx) (err error) {
		got, err = tx.SessionByID(t.Context(), sess.ID)
		return err
	})
	if fmtSession(got) != fmtSession(sess) {
		t.Errorf("SessionByID:\n got %s\nwant %s", fmtSession(got), fmtSession(sess))
	}
	if !got.Active() {
		t.Errorf("new session: got Active() false, want true")
	}

	used := base.Add(time.Hour)
	inTx(t, s, func(tx auth.Tx) error { return tx.TouchSession(t.Context(), sess.ID, used) })
	sess.LastUsedAt = used

	gotSess, gotUser, err := s.SessionWithUser(t.Context(), sess.ID)
	if err != nil {
		t.Fatalf("SessionWithUser: %v", err)
	}
	if fmtSession(gotSess) != fmtSession(sess) {
		t.Errorf("SessionWithUser session:\n got %s\nwant %s", fmtSession(gotSess),
			fmtSession(sess))
	}
	if fmtUser(gotUser) != fmtUser(u) {
		t.Errorf("SessionWithUser user:\n got %s\nwant %s", fmtUser(gotUser), fmtUser(u))
	}
}

func testRevokeSession(t *testing.T, s auth.Store) {
	u := createUser(t, s, "revoker")
	sess := createSession(t, s, u.ID, "sess-revoked")
	other := createSession(t, s, u.ID, "sess-kept")
	first := createToken(t, s, u.ID, sess.ID, "hash-a", nil)
	second := createToken(t, s, u.ID, sess.ID, "hash-b", &first.ID)
	kept := createToken(t, s, u.ID, other.ID, "hash-c", nil)

	at := base.Add(2 * time.Hour)
	inTx(t, s, func(tx auth.Tx) error { return tx.RevokeSession(t.Context(), sess.ID, at) })
	// A second revocation is not an error and keeps the first time.
	inTx(t, s, func(tx auth.Tx) error {
		return tx.RevokeSession(t.Context(), sess.ID, at.Add(time.Hour))
	})

	got, _, err := s.SessionWithUser(t.Context(), sess.ID)
	if err != nil {
		t.Fatalf("SessionWithUser: %v", err)
	}
	if got.Active() || !got.RevokedAt.Equal(at) {
		t.Errorf("revoked session: got RevokedAt %s, want %s", fmtTimePtr(got.RevokedAt),
			fmtTime(at))
	}
	gotOther, _, err := s.SessionWithUser(t.Context(), other.ID)
	if err != nil {
		t.Fatalf("SessionWithUser: %v", err)
	}
	if !gotOther.Active() {
		t.Errorf("other session: got RevokedAt %s, want nil", fmtTimePtr(gotOther.RevokedAt))
	}

	tests := []struct {
		hash    string
		revoked bool
	}{
		{first.TokenHash, true},
		{second.TokenHash, true},
		{kept.TokenHash, false},
	}
	for _, tt := range tests {
		var r auth.RefreshToken
		inTx(t, s, func(tx auth.Tx) (err error) {
			r, err = tx.RefreshTokenByHash(t.Context(), tt.hash)
			return err
		})
		if r.IsRevoked != tt.revoked {
			t.Errorf("token %s: got IsRevoked %t, want %t", tt.hash, r.IsRevoked, tt.revoked)
		}
	}
}
