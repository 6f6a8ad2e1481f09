package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// tokenColumns are the columns tokenDest scans. Tokens of a legacy schema have no session
// (read as "") and may have NULL columns, read as zero values.
const tokenColumns = `id, user_id, COALESCE(session_id, ''), parent_id, token_hash, expires_at,
	COALESCE(is_revoked, false), COALESCE(created_at, 'epoch'), replaced_at, last_used_at,
	COALESCE(device_info, ''), COALESCE(ip_address, '')`

// tokenDest returns the scan destinations of tokenColumns.
func tokenDest(r *auth.RefreshToken) []any {
	return []any{&r.ID, &r.UserID, &r.SessionID, &r.ParentID, &r.TokenHash, &r.ExpiresAt,
		&r.IsRevoked, &r.CreatedAt, &r.ReplacedAt, &r.LastUsedAt, &r.DeviceInfo, &r.IPAddress}
}

// CreateRefreshToken inserts r and sets its ID; CreatedAt is set to now unless set. An empty
// SessionID is stored as NULL. A second child of the same parent is an ECONFLICT error.
func (t *tx) CreateRefreshToken(ctx context.Context, r *auth.RefreshToken) error {
	created := stamp(r.CreatedAt)
	expires := utc(r.ExpiresAt)
	var session *string
	if r.SessionID != "" {
		session = &r.SessionID
	}

	var id int64
	err := t.tx.QueryRow(ctx, `
		INSERT INTO refresh_tokens (user_id, session_id, parent_id, token_hash, expires_at,
			is_revoked, created_at, replaced_at, last_used_at, device_info, ip_address)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		RETURNING id`,
		r.UserID, session, r.ParentID, r.TokenHash, expires, r.IsRevoked, created,
		utcPtr(r.ReplacedAt), utcPtr(r.LastUsedAt), r.DeviceInfo, r.IPAddress).Scan(&id)
	if err != nil {
		return mapErr("create refresh token", err)
	}

	r.ID, r.CreatedAt, r.ExpiresAt = id, created, expires
	r.ReplacedAt, r.LastUsedAt = utcPtr(r.ReplacedAt), utcPtr(r.LastUsedAt)
	return nil
}

// RefreshTokenByHash returns the token with that hash, or auth.ErrNotFound, and locks its
// row (FOR UPDATE) until the transaction ends. A transaction that waited for the lock reads
// the row as the holder committed it.
func (t *tx) RefreshTokenByHash(ctx context.Context, hash string) (auth.RefreshToken, error) {
	var r auth.RefreshToken
	err := t.tx.QueryRow(ctx,
		`SELECT `+tokenColumns+` FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE`, hash).
		Scan(tokenDest(&r)...)
	if err != nil {
		return auth.RefreshToken{}, mapErr("refresh token by hash", err)
	}
	return r, nil
}

// ChildToken returns the token whose parent is parentID, or auth.ErrNotFound.
func (t *tx) ChildToken(ctx context.Context, parentID int64) (auth.RefreshToken, error) {
	var r auth.RefreshToken
	err := t.tx.QueryRow(ctx,
		`SELECT `+tokenColumns+` FROM refresh_tokens WHERE parent_id = $1`, parentID).
		Scan(tokenDest(&r)...)
	if err != nil {
		return auth.RefreshToken{}, mapErr(fmt.Sprintf("child of token %d", parentID), err)
	}
	return r, nil
}

// MarkTokenReplaced records that the token was rotated at at; a token already marked keeps
// its first time. auth.ErrNotFound if there is no such token.
func (t *tx) MarkTokenReplaced(ctx context.Context, id int64, at time.Time) error {
	tag, err := t.tx.Exec(ctx, `
		UPDATE refresh_tokens
		SET replaced_at = COALESCE(replaced_at, $2), last_used_at = $2
		WHERE id = $1`, id, stamp(at))
	return mapExec(fmt.Sprintf("mark token %d replaced", id), tag, err)
}
