package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/finintelli/auth/internal/auth"
	"github.com/jackc/pgx/v5"
)

// pruneLockKey is the key of the transaction advisory lock that prune batches take, so that
// batches of several processes run one after another instead of deadlocking on the foreign
// keys between the rows they delete.
const pruneLockKey = 0x66696e5f7072756e // "fin_prun"

// ActiveSessions returns the user's sessions that are not revoked and hold an unrevoked
// refresh token expiring after now, most recently used first.
func (t *tx) ActiveSessions(ctx context.Context, userID int64, now time.Time,
	limit int) ([]auth.Session, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT `+sessionColumns+` FROM sessions s
		WHERE s.user_id = $1 AND s.revoked_at IS NULL AND EXISTS (
			SELECT 1 FROM refresh_tokens r
			WHERE r.session_id = s.id AND r.is_revoked IS NOT TRUE AND r.expires_at > $2)
		ORDER BY s.last_used_at DESC, s.id
		LIMIT $3`, userID, stamp(now), limit)
	if err != nil {
		return nil, mapErr("active sessions", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (auth.Session, error) {
		var s auth.Session
		err := r.Scan(sessionDest(&s)...)
		return s, err
	})
	return out, mapErr("active sessions", err)
}

// RevokeUserSessions revokes every unrevoked session of the user but keep, and every
// unrevoked refresh token of the user outside keep, and returns how many sessions it
// revoked.
func (t *tx) RevokeUserSessions(ctx context.Context, userID int64, keep string,
	at time.Time) (int, error) {
	tag, err := t.tx.Exec(ctx, `
		UPDATE sessions SET revoked_at = $3
		WHERE user_id = $1 AND revoked_at IS NULL AND id <> $2`, userID, keep, stamp(at))
	if err != nil {
		return 0, mapErr("revoke user sessions", err)
	}

	_, err = t.tx.Exec(ctx, `
		UPDATE refresh_tokens SET is_revoked = true
		WHERE user_id = $1 AND is_revoked IS DISTINCT FROM true
			AND (session_id IS NULL OR session_id <> $2)`, userID, keep)
	if err != nil {
		return 0, mapErr("revoke user tokens", err)
	}
	return int(tag.RowsAffected()), nil
}

// ListUsers returns one page of the users matching f, ordered by id, and how many match.
func (t *tx) ListUsers(ctx context.Context, f auth.UserFilter) ([]auth.User, int, error) {
	where, args := "", []any{}
	if f.Query != "" {
		where = `WHERE u.username_key LIKE $1 ESCAPE '\' OR u.email_key LIKE $1 ESCAPE '\'`
		args = append(args, "%"+likeEscape(f.Query)+"%")
	}

	var total int
	err := t.tx.QueryRow(ctx, `SELECT COUNT(*) FROM users u `+where, args...).Scan(&total)
	if err != nil {
		return nil, 0, mapErr("count users", err)
	}

	n := len(args)
	rows, err := t.tx.Query(ctx, fmt.Sprintf(`SELECT `+userColumns+` FROM users u `+where+`
		ORDER BY u.id LIMIT $%d OFFSET $%d`, n+1, n+2), append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, mapErr("list users", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (auth.User, error) {
		var u auth.User
		err := r.Scan(userDest(&u)...)
		return u, err
	})
	if err != nil {
		return nil, 0, mapErr("list users", err)
	}
	return out, total, nil
}

// LockAdmins returns the ids of the active administrators and locks their rows (FOR
// UPDATE, in id order so that two callers cannot deadlock). A transaction that waited for
// the lock re-reads the rows and so no longer counts an administrator just removed.
func (t *tx) LockAdmins(ctx context.Context) ([]int64, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT id FROM users WHERE is_admin IS TRUE AND is_active IS TRUE
		ORDER BY id FOR UPDATE`)
	if err != nil {
		return nil, mapErr("lock admins", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	return ids, mapErr("lock admins", err)
}

// SetUserFlags sets a user's flags; auth.ErrNotFound if there is no such user.
func (t *tx) SetUserFlags(ctx context.Context, userID int64, active, admin bool,
	at time.Time) error {
	tag, err := t.tx.Exec(ctx,
		`UPDATE users SET is_active = $2, is_admin = $3, updated_at = $4 WHERE id = $1`,
		userID, active, admin, stamp(at))
	return mapExec(fmt.Sprintf("set flags of user %d", userID), tag, err)
}

// ListActivity returns the rows of the activity log matching f, newest first. Legacy rows
// may have NULL columns, read as zero values.
func (t *tx) ListActivity(ctx context.Context, f auth.ActivityFilter) ([]auth.LoggedActivity,
	error) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.UserID > 0 {
		add("a.user_id = $%d", f.UserID)
	}
	if f.EventType != "" {
		add("a.event_type = $%d", f.EventType)
	}
	if f.MinRisk > 0 {
		add("a.risk_score >= $%d", f.MinRisk)
	}
	if f.Before > 0 {
		add("a.id < $%d", f.Before)
	}
	where := ""
	if len(conds) > 0 {
		where = "WHERE " + strings.Join(conds, " AND ")
	}
	args = append(args, f.Limit)

	rows, err := t.tx.Query(ctx, fmt.Sprintf(`
		SELECT a.id, a.user_id, COALESCE(a.event_type, ''), COALESCE(a.ip_address, ''),
			COALESCE(a.device_info, ''), COALESCE(a.user_agent, ''),
			COALESCE(a.geolocation_city, ''), COALESCE(a.geolocation_country, ''),
			a.login_success, COALESCE(a.risk_score, 0), COALESCE(a.extra_info::text, '{}'),
			COALESCE(a.created_at, 'epoch'), COALESCE(u.username, '')
		FROM user_activity_logs a LEFT JOIN users u ON u.id = a.user_id
		%s
		ORDER BY a.id DESC
		LIMIT $%d`, where, len(args)), args...)
	if err != nil {
		return nil, mapErr("list activity", err)
	}
	out, err := pgx.CollectRows(rows, scanActivity)
	return out, mapErr("list activity", err)
}

// scanActivity reads a row of ListActivity. An extra_info that is not a JSON object reads
// as empty rather than failing the listing.
func scanActivity(r pgx.CollectableRow) (auth.LoggedActivity, error) {
	var l auth.LoggedActivity
	a := &l.Activity
	var extra string
	err := r.Scan(&a.ID, &a.UserID, &a.EventType, &a.Client.IP, &a.Client.DeviceInfo,
		&a.Client.UserAgent, &a.Client.City, &a.Client.Country, &a.LoginSuccess,
		&a.RiskScore, &extra, &a.CreatedAt, &l.Username)
	if err != nil {
		return l, err
	}
	if a.ExtraInfo, err = decodeExtra(extra); err != nil {
		a.ExtraInfo = map[string]any{}
	}
	return l, nil
}

// PruneTokens deletes at most limit refresh tokens that expired, or whose session was
// revoked, before cutoff. Tokens locked by a rotation in progress are skipped.
func (t *tx) PruneTokens(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	return t.prune(ctx, "prune tokens", `
		DELETE FROM refresh_tokens WHERE id IN (
			SELECT r.id FROM refresh_tokens r LEFT JOIN sessions s ON s.id = r.session_id
			WHERE r.expires_at < $1 OR (r.is_revoked IS TRUE AND s.revoked_at < $1)
			LIMIT $2
			FOR UPDATE OF r SKIP LOCKED)`, stamp(cutoff), limit)
}

// PruneSessions deletes at most limit sessions revoked before cutoff, or last used before
// cutoff and left without refresh tokens.
func (t *tx) PruneSessions(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	return t.prune(ctx, "prune sessions", `
		DELETE FROM sessions WHERE id IN (
			SELECT s.id FROM sessions s
			WHERE s.revoked_at < $1 OR (s.last_used_at < $1 AND NOT EXISTS (
				SELECT 1 FROM refresh_tokens r WHERE r.session_id = s.id))
			LIMIT $2
			FOR UPDATE SKIP LOCKED)`, stamp(cutoff), limit)
}

// PruneActivity deletes at most limit rows of the activity log created before cutoff.
func (t *tx) PruneActivity(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	return t.prune(ctx, "prune activity", `
		DELETE FROM user_activity_logs WHERE id IN (
			SELECT id FROM user_activity_logs WHERE created_at < $1
			ORDER BY id LIMIT $2
			FOR UPDATE SKIP LOCKED)`, stamp(cutoff), limit)
}

// prune takes the prune lock for the rest of the transaction, then runs a DELETE and
// returns how many rows it removed.
func (t *tx) prune(ctx context.Context, op, query string, args ...any) (int, error) {
	if _, err := t.tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`,
		int64(pruneLockKey)); err != nil {
		return 0, mapErr(op, err)
	}
	tag, err := t.tx.Exec(ctx, query, args...)
	if err != nil {
		return 0, mapErr(op, err)
	}
	return int(tag.RowsAffected()), nil
}

// likeEscape escapes the wildcards of a LIKE pattern, with \ as the escape character.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// SwapPasswordHash replaces the hash of a user whose hash is still old; auth.ErrNotFound
// otherwise. The row lock the UPDATE takes makes a concurrent swap wait and then find the
// hash changed.
func (t *tx) SwapPasswordHash(ctx context.Context, userID int64, old, new string,
	at time.Time) error {
	tag, err := t.tx.Exec(ctx, `UPDATE users SET hashed_password = $2, updated_at = $3
		WHERE id = $1 AND hashed_password = $4`, userID, new, stamp(at), old)
	return mapExec(fmt.Sprintf("swap password of user %d", userID), tag, err)
}
