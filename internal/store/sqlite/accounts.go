package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// ActiveSessions returns the user's sessions that are not revoked and hold an unrevoked
// refresh token expiring after now, most recently used first.
func (t *tx) ActiveSessions(ctx context.Context, userID int64, now time.Time,
	limit int) ([]auth.Session, error) {
	rows, err := t.tx.QueryContext(ctx, `
		SELECT `+sessionColumns+` FROM sessions s
		WHERE s.user_id = ? AND s.revoked_at IS NULL AND EXISTS (
			SELECT 1 FROM refresh_tokens r
			WHERE r.session_id = s.id AND r.is_revoked = 0 AND r.expires_at > ?)
		ORDER BY s.last_used_at DESC, s.id
		LIMIT ?`, userID, formatTime(stamp(now)), limit)
	if err != nil {
		return nil, mapErr("active sessions", err)
	}
	defer rows.Close()

	var out []auth.Session
	for rows.Next() {
		var s auth.Session
		if err := rows.Scan(sessionDest(&s)...); err != nil {
			return nil, mapErr("active sessions", err)
		}
		out = append(out, s)
	}
	return out, mapErr("active sessions", rows.Err())
}

// RevokeUserSessions revokes every unrevoked session of the user but keep, and every
// unrevoked refresh token of the user outside keep, and returns how many sessions it
// revoked.
func (t *tx) RevokeUserSessions(ctx context.Context, userID int64, keep string,
	at time.Time) (int, error) {
	res, err := t.tx.ExecContext(ctx, `
		UPDATE sessions SET revoked_at = ?
		WHERE user_id = ? AND revoked_at IS NULL AND id <> ?`,
		formatTime(stamp(at)), userID, keep)
	if err != nil {
		return 0, mapErr("revoke user sessions", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, mapErr("revoke user sessions", err)
	}

	_, err = t.tx.ExecContext(ctx, `
		UPDATE refresh_tokens SET is_revoked = 1
		WHERE user_id = ? AND is_revoked = 0 AND (session_id IS NULL OR session_id <> ?)`,
		userID, keep)
	if err != nil {
		return 0, mapErr("revoke user tokens", err)
	}
	return int(n), nil
}

// ListUsers returns one page of the users matching f, ordered by id, and how many match.
func (t *tx) ListUsers(ctx context.Context, f auth.UserFilter) ([]auth.User, int, error) {
	where, args := "", []any{}
	if f.Query != "" {
		pattern := "%" + likeEscape(f.Query) + "%"
		where = `WHERE u.username_key LIKE ? ESCAPE '\' OR u.email_key LIKE ? ESCAPE '\'`
		args = append(args, pattern, pattern)
	}

	var total int
	err := t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users u `+where, args...).
		Scan(&total)
	if err != nil {
		return nil, 0, mapErr("count users", err)
	}

	rows, err := t.tx.QueryContext(ctx, `SELECT `+userColumns+` FROM users u `+where+`
		ORDER BY u.id LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, mapErr("list users", err)
	}
	defer rows.Close()

	var out []auth.User
	for rows.Next() {
		var u auth.User
		if err := rows.Scan(userDest(&u)...); err != nil {
			return nil, 0, mapErr("list users", err)
		}
		out = append(out, u)
	}
	return out, total, mapErr("list users", rows.Err())
}

// LockAdmins returns the ids of the active administrators. The transaction already holds
// the database's write lock (BEGIN IMMEDIATE), so they cannot change before it ends.
func (t *tx) LockAdmins(ctx context.Context) ([]int64, error) {
	rows, err := t.tx.QueryContext(ctx,
		`SELECT id FROM users WHERE is_admin = 1 AND is_active = 1 ORDER BY id`)
	if err != nil {
		return nil, mapErr("lock admins", err)
	}
	defer rows.Close()

	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, mapErr("lock admins", err)
		}
		ids = append(ids, id)
	}
	return ids, mapErr("lock admins", rows.Err())
}

// SetUserFlags sets a user's flags; auth.ErrNotFound if there is no such user.
func (t *tx) SetUserFlags(ctx context.Context, userID int64, active, admin bool,
	at time.Time) error {
	res, err := t.tx.ExecContext(ctx,
		`UPDATE users SET is_active = ?, is_admin = ?, updated_at = ? WHERE id = ?`,
		active, admin, formatTime(stamp(at)), userID)
	return mapExec(fmt.Sprintf("set flags of user %d", userID), res, err)
}

// ListActivity returns the rows of the activity log matching f, newest first.
func (t *tx) ListActivity(ctx context.Context, f auth.ActivityFilter) ([]auth.LoggedActivity,
	error) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		conds = append(conds, cond)
		args = append(args, arg)
	}
	if f.UserID > 0 {
		add("a.user_id = ?", f.UserID)
	}
	if f.EventType != "" {
		add("a.event_type = ?", f.EventType)
	}
	if f.MinRisk > 0 {
		add("a.risk_score >= ?", f.MinRisk)
	}
	if f.Before > 0 {
		add("a.id < ?", f.Before)
	}
	where := ""
	if len(conds) > 0 {
		where = "WHERE " + strings.Join(conds, " AND ")
	}

	rows, err := t.tx.QueryContext(ctx, `
		SELECT a.id, a.user_id, a.event_type, a.ip_address, a.device_info, a.user_agent,
			a.geolocation_city, a.geolocation_country, a.login_success, a.risk_score,
			a.extra_info, a.created_at, COALESCE(u.username, '')
		FROM user_activity_logs a LEFT JOIN users u ON u.id = a.user_id
		`+where+`
		ORDER BY a.id DESC
		LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, mapErr("list activity", err)
	}
	defer rows.Close()
	return scanActivity(rows)
}

// scanActivity reads the rows of ListActivity. An extra_info that is not JSON reads as
// empty rather than failing the listing.
func scanActivity(rows *sql.Rows) ([]auth.LoggedActivity, error) {
	var out []auth.LoggedActivity
	for rows.Next() {
		var l auth.LoggedActivity
		a := &l.Activity
		var extra string
		err := rows.Scan(&a.ID, &a.UserID, &a.EventType, &a.Client.IP, &a.Client.DeviceInfo,
			&a.Client.UserAgent, &a.Client.City, &a.Client.Country, &a.LoginSuccess,
			&a.RiskScore, &extra, timeText{t: &a.CreatedAt}, &l.Username)
		if err != nil {
			return nil, mapErr("list activity", err)
		}
		if a.ExtraInfo, err = decodeExtra(extra); err != nil {
			a.ExtraInfo = map[string]any{}
		}
		out = append(out, l)
	}
	return out, mapErr("list activity", rows.Err())
}

// PruneTokens deletes at most limit refresh tokens that expired, or whose session was
// revoked, before cutoff.
func (t *tx) PruneTokens(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	c := formatTime(stamp(cutoff))
	return t.deleted(ctx, "prune tokens", `
		DELETE FROM refresh_tokens WHERE id IN (
			SELECT r.id FROM refresh_tokens r LEFT JOIN sessions s ON s.id = r.session_id
			WHERE r.expires_at < ? OR (r.is_revoked = 1 AND s.revoked_at < ?)
			LIMIT ?)`, c, c, limit)
}

// PruneSessions deletes at most limit sessions revoked before cutoff, or last used before
// cutoff and left without refresh tokens.
func (t *tx) PruneSessions(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	c := formatTime(stamp(cutoff))
	return t.deleted(ctx, "prune sessions", `
		DELETE FROM sessions WHERE id IN (
			SELECT s.id FROM sessions s
			WHERE s.revoked_at < ? OR (s.last_used_at < ? AND NOT EXISTS (
				SELECT 1 FROM refresh_tokens r WHERE r.session_id = s.id))
			LIMIT ?)`, c, c, limit)
}

// PruneActivity deletes at most limit rows of the activity log created before cutoff.
func (t *tx) PruneActivity(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	return t.deleted(ctx, "prune activity", `
		DELETE FROM user_activity_logs WHERE id IN (
			SELECT id FROM user_activity_logs WHERE created_at < ? ORDER BY id LIMIT ?)`,
		formatTime(stamp(cutoff)), limit)
}

// deleted runs a DELETE and returns how many rows it removed.
func (t *tx) deleted(ctx context.Context, op string, query string, args ...any) (int, error) {
	res, err := t.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, mapErr(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, mapErr(op, err)
	}
	return int(n), nil
}

// likeEscape escapes the wildcards of a LIKE pattern, with \ as the escape character.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// SwapPasswordHash replaces the hash of a user whose hash is still old; auth.ErrNotFound
// otherwise.
func (t *tx) SwapPasswordHash(ctx context.Context, userID int64, old, new string,
	at time.Time) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE users SET hashed_password = ?, updated_at = ?
		WHERE id = ? AND hashed_password = ?`, new, formatTime(stamp(at)), userID, old)
	return mapExec(fmt.Sprintf("swap password of user %d", userID), res, err)
}
