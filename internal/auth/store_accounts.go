package auth

import (
	"context"
	"time"
)

// AccountQueries are the store operations behind the account, session-management and
// administration features, and behind housekeeping.
type AccountQueries interface {
	// ActiveSessions returns at most limit sessions of the user that are not revoked and
	// still hold an unrevoked refresh token that expires after now, most recently used
	// first.
	ActiveSessions(ctx context.Context, userID int64, now time.Time, limit int) ([]Session,
		error)
	// RevokeUserSessions revokes, at at, every session of the user that is not yet revoked
	// except the one with id keep (which may be ""), together with every unrevoked refresh
	// token of the user outside keep, and returns how many sessions it revoked.
	RevokeUserSessions(ctx context.Context, userID int64, keep string, at time.Time) (int,
		error)

	// ListUsers returns one page of the users that match f, ordered by id, and the number of
	// users that match f in all.
	ListUsers(ctx context.Context, f UserFilter) ([]User, int, error)
	// LockAdmins returns the ids of the active administrators, ordered, and holds a write
	// lock on their rows until the transaction ends, so that two transactions cannot both
	// see a second administrator and both remove one.
	LockAdmins(ctx context.Context) ([]int64, error)
	// SwapPasswordHash replaces a user's password hash only if it still is old, so that
	// two changes that both checked the same current password cannot both win. It returns
	// ErrNotFound when there is no such user or the hash is no longer old.
	SwapPasswordHash(ctx context.Context, userID int64, old, new string, at time.Time) error
	// SetUserFlags sets a user's is_active and is_admin; ErrNotFound if there is no user.
	SetUserFlags(ctx context.Context, userID int64, active, admin bool, at time.Time) error

	// ListActivity returns rows of the activity log that match f, newest (highest id)
	// first, each with the username of its user ("" for none).
	ListActivity(ctx context.Context, f ActivityFilter) ([]LoggedActivity, error)

	// PruneTokens deletes at most limit refresh tokens that expired before cutoff or whose
	// session was revoked before cutoff, and returns how many it deleted. It never waits for
	// or fails on a token that another transaction holds.
	PruneTokens(ctx context.Context, cutoff time.Time, limit int) (int, error)
	// PruneSessions deletes at most limit sessions that hold no refresh token any more and
	// were revoked, or last used, before cutoff, and returns how many it deleted.
	PruneSessions(ctx context.Context, cutoff time.Time, limit int) (int, error)
	// PruneActivity deletes at most limit rows of the activity log created before cutoff
	// and returns how many it deleted.
	PruneActivity(ctx context.Context, cutoff time.Time, limit int) (int, error)
}

// UserFilter selects users for ListUsers. Query, when not empty, is a normalised key
// (LoginKey) that the username key or the e-mail key must contain.
type UserFilter struct {
	Query  string
	Limit  int
	Offset int
}

// ActivityFilter selects rows of the activity log for ListActivity. Zero values select
// everything: any user, any event, any score, from the newest row.
type ActivityFilter struct {
	UserID    int64   // only this user's rows when > 0
	EventType string  // only this event when not empty
	MinRisk   float64 // only rows scored at least this when > 0
	Before    int64   // only rows with a smaller id when > 0 (the paging cursor)
	Limit     int
}

// LoggedActivity is a row of the activity log with the username of its user.
type LoggedActivity struct {
	Activity
	Username string
}
