package sqlite

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
	return []any{&s.ID, &s.UserID, timeText{t: &s.CreatedAt}, timeText{t: &s.LastUsedAt},
		nullTimeText{t: &s.RevokedAt}, &s.Client.IP, &s.Client.UserAgent,
		&s.Client.DeviceInfo, &s.Client.City, &s.Client.Country}
}

// SessionWithUser returns a session and its user, read outside any transaction.
func (s *Store) SessionWithUser(ctx context.Context, sessionID string) (auth.Session,
	auth.User, error) {
	var sess auth.Session
	var u auth.User
	err := s.read.QueryRowContext(ctx, `
		SELECT `+sessionColumns+`, `+userColumns+`
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id = ?`, sessionID).Scan(append(sessionDest(&sess), userDest(&u)...)...)
	if err != nil {
		return auth.Session{}, auth.User{}, mapErr("session with user", err)
	}
	return sess, u, nil
}

// CreateSession inserts s. CreatedAt is set to now unless set, LastUsedAt to CreatedAt
// unless set. The client's latitude and longitude are not stored.
func (t *tx) CreateSession(ctx context.Context, s *auth.Session) error {
	if s.ID == "" {
		return errors.New("sqlite: create session: empty id")
	}
	created := stamp(s.CreatedAt)
	used := created
	if !s.LastUsedAt.IsZero() {
		used = stamp(s.LastUsedAt)
	}

	_, err := t.tx.ExecContext(ctx, `
		INSERT INTO sessions (id, user_id, created_at, last_used_at, revoked_at, ip_address,
			user_agent, device_info, geolocation_city, geolocation_country)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.UserID, formatTime(created), formatTime(used), formatTimePtr(s.RevokedAt),
		s.Client.IP, s.Client.UserAgent, s.Client.DeviceInfo, s.Client.City, s.Client.Country)
	if err != nil {
		return mapErr("create session", err)
	}

	s.CreatedAt, s.LastUsedAt = created, used
	if s.RevokedAt != nil {
		r := stamp(*s.RevokedAt)
		s.RevokedAt = &r
	}
	return nil
}

// SessionByID returns a session, or auth.ErrNotFound.
func (t *tx) SessionByID(ctx context.Context, id string) (auth.Session, error) {
	var s auth.Session
	err := t.tx.QueryRowContext(ctx,
		`SELECT `+sessionColumns+` FROM sessions s WHERE s.id = ?`, id).Scan(sessionDest(&s)...)
	if err != nil {
		return auth.Session{}, mapErr("session", err)
	}
	return s, nil
}

// TouchSession sets the session's last use to at; auth.ErrNotFound if there is no session.
func (t *tx) TouchSession(ctx context.Context, id string, at time.Time) error {
	res, err := t.tx.ExecContext(ctx,
		`UPDATE sessions SET last_used_at = ? WHERE id = ?`, formatTime(stamp(at)), id)
	return mapExec("touch session", res, err)
}

// RevokeSession marks the session revoked at at (keeping an earlier revocation time) and
// every refresh token of it revoked; auth.ErrNotFound if there is no session.
func (t *tx) RevokeSession(ctx context.Context, id string, at time.Time) error {
	res, err := t.tx.ExecContext(ctx,
		`UPDATE sessions SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`,
		formatTime(stamp(at)), id)
	if err := mapExec("revoke session", res, err); err != nil {
		return err
	}

	_, err = t.tx.ExecContext(ctx,
		`UPDATE refresh_tokens SET is_revoked = 1 WHERE session_id = ? AND is_revoked = 0`, id)
	return mapErr("revoke session tokens", err)
}
