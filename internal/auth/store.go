package auth

import (
	"context"
	"time"
)

// Store is the persistence the service needs. Implementations live in internal/store/sqlite
// and internal/store/postgres and pass the same contract tests (internal/store/storetest).
//
// Errors: ErrNotFound (code ENOTFOUND) for a missing row; an *Error with code ECONFLICT for a
// taken username or e-mail; an *Error with code EUNAVAILABLE when the database cannot be
// reached. Any other failure is an ordinary wrapped error.
type Store interface {
	// InTx runs fn in one transaction: everything fn writes commits together, or nothing
	// does when fn returns an error. Transactions that write are serialised enough that a
	// row read with Tx.RefreshTokenByHash cannot change until the transaction ends.
	InTx(ctx context.Context, fn func(tx Tx) error) error

	// SessionWithUser returns a session and its user, for checking an access token.
	SessionWithUser(ctx context.Context, sessionID string) (Session, User, error)

	// Ping checks that the database answers.
	Ping(ctx context.Context) error

	// Close releases the store's connections.
	Close() error
}

// Tx is the set of operations available inside Store.InTx. The queries behind accounts and
// administration, and behind the risk engine, are declared in files of their own.
type Tx interface {
	AccountQueries
	RiskQueries

	// CreateUser inserts u and sets its ID, CreatedAt and UpdatedAt.
	CreateUser(ctx context.Context, u *User) error
	// UserByID returns the user with that id.
	UserByID(ctx context.Context, id int64) (User, error)
	// UserByLogin returns the user whose UsernameKey or EmailKey equals key.
	UserByLogin(ctx context.Context, key string) (User, error)
	// SetPasswordHash replaces a user's stored password hash.
	SetPasswordHash(ctx context.Context, userID int64, hash string, at time.Time) error

	// CreateSession inserts s; s.ID is set by the caller.
	CreateSession(ctx context.Context, s *Session) error
	// SessionByID returns a session.
	SessionByID(ctx context.Context, id string) (Session, error)
	// TouchSession records a use of the session.
	TouchSession(ctx context.Context, id string, at time.Time) error
	// RevokeSession marks the session and every refresh token of it revoked. Revoking an
	// already revoked session is not an error.
	RevokeSession(ctx context.Context, id string, at time.Time) error

	// CreateRefreshToken inserts t and sets its ID.
	CreateRefreshToken(ctx context.Context, t *RefreshToken) error
	// RefreshTokenByHash returns the token with that hash and holds a write lock on it
	// until the transaction ends.
	RefreshTokenByHash(ctx context.Context, hash string) (RefreshToken, error)
	// ChildToken returns the token that replaced the token with id parentID.
	ChildToken(ctx context.Context, parentID int64) (RefreshToken, error)
	// MarkTokenReplaced records that the token was rotated at the given time.
	MarkTokenReplaced(ctx context.Context, id int64, at time.Time) error

	// AddActivity appends a row to the activity log and sets its ID.
	AddActivity(ctx context.Context, a *Activity) error
}
