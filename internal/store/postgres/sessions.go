package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// sessionColumns are the columns sessionDest scans, from sessions aliased as s.
const sessionColumns = `s.id, s.user_id, s.created_at, s.last_used_at, s.revoked_at,
	s.ip_address, s.user_agent, s.device_info, s.geolocation_city, s.geolocation_country`

// sessionDest returns the scan destinations of sessionColumns.
func sessionDest(s *auth.Session) []any {
	return []any{&s.ID, &s.UserID, &s.CreatedAt, &s.LastUsedAt, &s.RevokedAt, &s.Client.IP,
		&s.Client.UserAgent, &s.Client.DeviceInfo, &s.Client.City, &s.Client.Country}
}

// SessionWithUser returns a session and its user, read outside any transaction.
func (s *Store) SessionWithUser(ctx context.Context, sessionID string) (auth.Session,
	auth.User, error) {
	var sess auth.Session
	var u auth.User
	err := s.pool.QueryRow(ctx, `
		SELECT `+sessionColumns+`, `+userColumns+`
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id = $1`, sessionID).Scan(append(sessionDest(&sess), userDest(&u)...)...)
	if err != nil {
		return auth.Session{}, auth.User{}, mapErr("session with user", err)
	}
	return sess, u, nil
}

// CreateSession inserts s. CreatedAt is set to now unless set, LastUsedAt to CreatedAt
// unless set. The client's latitude and longitude are not stored.
func (t *tx) CreateSession(ctx context.Context, s *auth.Session) error {
	if s.ID == "" {
		return errors.New("postgres: create session: empty id")
	}
	created := stamp(s.CreatedAt)
	used := created
	if !s.LastUsedAt.IsZero() {
		used = stamp(s.LastUsedAt)
	}
	revoked := utcPtr(s.RevokedAt)

	_, err := t.tx.Exec(ctx, `
		INSERT INTO sessions (id, user_id, created_at, last_used_at, revoked_at, ip_address,
			user_agent, device_info, geolocation_city, geolocation_country)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		s.ID, s.UserID, created, used, revoked, s.Client.IP, s.Client.UserAgent,
		s.Client.DeviceInfo, s.Client.City, s.Client.Country)
	if err != nil {
		return mapErr("create session", err)
	}

	s.CreatedAt, s.LastUsedAt, s.RevokedAt = created, used, revoked
	return nil
}

// SessionByID returns a session, or auth.ErrNotFound.
func (t *tx) SessionByID(ctx context.Context, id string) (auth.Session, error) {
	var s auth.Session
	err := t.tx.QueryRow(ctx,
		`SELECT `+sessionColumns+` FROM sessions s WHERE s.id = $1`, id).Scan(sessionDest(&s)...)
	if err != nil {
		return auth.Session{}, mapErr("session", err)
	}
	return s, nil
}

// TouchSession sets the session's last use to at; auth.ErrNotFound if there is no session.
func (t *tx) TouchSession(ctx context.Context, id string, at time.Time) error {
	tag, err := t.tx.Exec(ctx,
		`UPDATE sessions SET last_used_at = $2 WHERE id = $1`, id, stamp(at))
	return mapExec("touch session", tag, err)
}

// RevokeSession marks the session revoked at at (keeping an earlier revocation time) and
// every refresh token of it revoked; auth.ErrNotFound if there is no session.
func (t *tx) RevokeSession(ctx context.Context, id string, at time.Time) error {
	tag, err := t.tx.Exec(ctx,
		`UPDATE sessions SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1`,
		id, stamp(at))
	if err := mapExec("revoke session", tag, err); err != nil {
		return err
	}

	_, err = t.tx.Exec(ctx, `
		UPDATE refresh_tokens SET is_revoked = true
		WHERE session_id = $1 AND is_revoked IS DISTINCT FROM true`, id)
	return mapErr("revoke session tokens", err)
}
