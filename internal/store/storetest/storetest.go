// Package storetest is the contract suite that every auth.Store implementation passes. A
// store's own test calls Run with a function that opens a fresh, empty, migrated store.
package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// ActivityReader reads the activity log back. The stores implement it beside auth.Store so
// the suite can check what AddActivity wrote.
type ActivityReader interface {
	ActivityByID(ctx context.Context, id int64) (auth.Activity, error)
}

// Run runs the contract suite. open must return a fresh, empty, migrated store and close it
// when its test ends (t.Cleanup); every subtest gets its own store and runs in parallel.
func Run(t *testing.T, open func(t *testing.T) auth.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s auth.Store)
	}{
		{"CreateUser", testCreateUser},
		{"UserByLogin", testUserByLogin},
		{"UserConflicts", testUserConflicts},
		{"SetPasswordHash", testSetPasswordHash},
		{"Sessions", testSessions},
		{"RevokeSession", testRevokeSession},
		{"RefreshTokens", testRefreshTokens},
		{"SecondChildRejected", testSecondChild},
		{"TokenWithoutSession", testTokenWithoutSession},
		{"Rollback", testRollback},
		{"NotFound", testNotFound},
		{"Activity", testActivity},
		{"Risk", runRisk},
		{"ConcurrentRotation", testConcurrentRotation},
		{"Ping", testPing},
		{"Accounts", func(t *testing.T, _ auth.Store) { runAccounts(t, open) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, open(t))
		})
	}
}

// base is a fixed time with whole microseconds, which both databases store exactly.
var base = time.Date(2030, 1, 2, 3, 4, 5, 123456000, time.UTC)

// inTx runs fn in a transaction of s and fails the test on error.
func inTx(t *testing.T, s auth.Store, fn func(tx auth.Tx) error) {
	t.Helper()
	if err := s.InTx(t.Context(), fn); err != nil {
		t.Fatalf("InTx: %v", err)
	}
}

// newUser returns an unsaved active user named name, with its login keys filled.
func newUser(name string) auth.User {
	email := strings.ToLower(name) + "@example.com"
	return auth.User{
		Username:       name,
		Email:          email,
		UsernameKey:    auth.UsernameKey(name),
		EmailKey:       auth.EmailKey(email),
		HashedPassword: "$2a$12$" + strings.Repeat("x", 53),
		IsActive:       true,
	}
}

// createUser saves newUser(name) and returns it.
func createUser(t *testing.T, s auth.Store, name string) auth.User {
	t.Helper()
	u := newUser(name)
	inTx(t, s, func(tx auth.Tx) error { return tx.CreateUser(t.Context(), &u) })
	return u
}

// createSession saves a session of userID with the given id and returns it.
func createSession(t *testing.T, s auth.Store, userID int64, id string) auth.Session {
	t.Helper()
	sess := auth.Session{ID: id, UserID: userID, CreatedAt: base, LastUsedAt: base,
		Client: auth.Client{IP: "192.0.2.7", UserAgent: "Mozilla/5.0 (X11; Linux)",
			DeviceInfo: "Firefox on Linux", City: "Zürich", Country: "CH"}}
	inTx(t, s, func(tx auth.Tx) error { return tx.CreateSession(t.Context(), &sess) })
	return sess
}

// newToken returns an unsaved refresh token of a session.
func newToken(userID int64, sessionID, hash string, parent *int64) auth.RefreshToken {
	return auth.RefreshToken{UserID: userID, SessionID: sessionID, ParentID: parent,
		TokenHash: hash, ExpiresAt: base.Add(30 * 24 * time.Hour), CreatedAt: base,
		DeviceInfo: "Firefox on Linux", IPAddress: "192.0.2.7"}
}

// createToken saves newToken(...) and returns it.
func createToken(t *testing.T, s auth.Store, userID int64, sessionID, hash string,
	parent *int64) auth.RefreshToken {
	t.Helper()
	r := newToken(userID, sessionID, hash, parent)
	inTx(t, s, func(tx auth.Tx) error { return tx.CreateRefreshToken(t.Context(), &r) })
	return r
}

// fmtTime formats a time for comparisons in failure messages.
func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// fmtTimePtr formats an optional time.
func fmtTimePtr(t *time.Time) string {
	if t == nil {
		return "nil"
	}
	return fmtTime(*t)
}

// fmtInt64Ptr formats an optional number.
func fmtInt64Ptr(p *int64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

// fmtUser renders every field of u, so two users compare as strings.
func fmtUser(u auth.User) string {
	return fmt.Sprintf("id=%d username=%q email=%q ukey=%q ekey=%q hash=%q active=%t "+
		"admin=%t created=%s updated=%s", u.ID, u.Username, u.Email, u.UsernameKey,
		u.EmailKey, u.HashedPassword, u.IsActive, u.IsAdmin, fmtTime(u.CreatedAt),
		fmtTime(u.UpdatedAt))
}

// fmtSession renders every stored field of s.
func fmtSession(s auth.Session) string {
	return fmt.Sprintf("id=%q user=%d created=%s used=%s revoked=%s ip=%q ua=%q device=%q "+
		"city=%q country=%q", s.ID, s.UserID, fmtTime(s.CreatedAt), fmtTime(s.LastUsedAt),
		fmtTimePtr(s.RevokedAt), s.Client.IP, s.Client.UserAgent, s.Client.DeviceInfo,
		s.Client.City, s.Client.Country)
}

// fmtToken renders every field of r.
func fmtToken(r auth.RefreshToken) string {
	return fmt.Sprintf("id=%d user=%d session=%q parent=%s hash=%q expires=%s revoked=%t "+
		"created=%s replaced=%s used=%s device=%q ip=%q", r.ID, r.UserID, r.SessionID,
		fmtInt64Ptr(r.ParentID), r.TokenHash, fmtTime(r.ExpiresAt), r.IsRevoked,
		fmtTime(r.CreatedAt), fmtTimePtr(r.ReplacedAt), fmtTimePtr(r.LastUsedAt),
		r.DeviceInfo, r.IPAddress)
}

// wantCode fails the test unless err carries code.
func wantCode(t *testing.T, err error, code auth.Code) {
	t.Helper()
	if got := auth.ErrorCode(err); err == nil || got != code {
		t.Fatalf("got error %v (code %q), want code %q", err, got, code)
	}
}
