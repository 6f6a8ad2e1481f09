package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// tokenColumns are the columns tokenDest scans.
const tokenColumns = `id, user_id, COALESCE(session_id, ''), parent_id, token_hash,
	expires_at, is_revoked, created_at, replaced_at, last_used_at, device_info, ip_address`

// tokenDest returns the scan destinations of tokenColumns.
func tokenDest(r *auth.RefreshToken) []any {
	return []any{&r.ID, &r.UserID, &r.SessionID, &r.ParentID, &r.TokenHash,
		timeText{t: &r.ExpiresAt}, &r.IsRevoked, timeText{t: &r.CreatedAt},
		nullTimeText{t: &r.ReplacedAt}, nullTimeText{t: &r.LastUsedAt},
		&r.DeviceInfo, &r.IPAddress}
}

// CreateRefreshToken inserts r and sets its ID; CreatedAt is set to now unless set. An empty
// SessionID is stored as NULL. A second child of the same parent is an ECONFLICT error.
func (t *tx) CreateRefreshToken(ctx context.Context, r *auth.RefreshToken) error {
	created := stamp(r.CreatedAt)
	var session any
	if r.SessionID != "" {
		session = r.SessionID
	}

	var id int64
	err := t.tx.QueryRowContext(ctx, `
		INSERT INTO refresh_tokens (user_id, session_id, parent_id, token_hash, expires_at,
			is_revoked, created_at, replaced_at, last_used_at, device_info, ip_address)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`,
		r.UserID, session, r.ParentID, r.TokenHash, formatTime(r.ExpiresAt), r.IsRevoked,
		formatTime(created), formatTimePtr(r.ReplacedAt), formatTimePtr(r.LastUsedAt),
		r.DeviceInfo, r.IPAddress).Scan(&id)
	if err != nil {
		return mapErr("create refresh token", err)
	}

	r.ID, r.CreatedAt = id, created
	r.ExpiresAt = r.ExpiresAt.UTC().Truncate(time.Microsecond)
	return nil
}

// RefreshTokenByHash returns the token with that hash, or auth.ErrNotFound. The transaction
// already holds the database's write lock (BEGIN IMMEDIATE), so the row cannot change
// before the transaction ends.
func (t *tx) RefreshTokenByHash(ctx context.Context, hash string) (auth.RefreshToken, error) {
	var r auth.RefreshToken
	err := t.tx.QueryRowContext(ctx,
		`SELECT `+tokenColumns+` FROM refresh_tokens WHERE token_hash = ?`, hash).
		Scan(tokenDest(&r)...)
	if err != nil {
		return auth.RefreshToken{}, mapErr("refresh token by hash", err)
	}
	return r, nil
}

// ChildToken returns the token whose parent is parentID, or auth.ErrNotFound.
func (t *tx) ChildToken(ctx context.Context, parentID int64) (auth.RefreshToken, error) {
	var r auth.RefreshToken
	err := t.tx.QueryRowContext(ctx,
		`SELECT `+tokenColumns+` FROM refresh_tokens WHERE parent_id = ?`, parentID).
		Scan(tokenDest(&r)...)
	if err != nil {
		return auth.RefreshToken{}, mapErr(fmt.Sprintf("child of token %d", parentID), err)
	}
	return r, nil
}

// MarkTokenReplaced records that the token was rotated at at; a token already marked keeps
// its first time. auth.ErrNotFound if there is no such token.
func (t *tx) MarkTokenReplaced(ctx context.Context, id int64, at time.Time) error {
	ts := formatTime(stamp(at))
	res, err := t.tx.ExecContext(ctx, `
		UPDATE refresh_tokens
		SET replaced_at = COALESCE(replaced_at, ?), last_used_at = ?
		WHERE id = ?`, ts, ts, id)
	return mapExec(fmt.Sprintf("mark token %d replaced", id), res, err)
}
