package sqlite

import (
	"context"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// successEvents are the event types that count as a successful login for the risk engine.
const successEvents = `('` + auth.EventLoginSuccess + `', '` + auth.EventRegister + `')`

// LastLogin returns the user's latest successful login, or auth.ErrNotFound.
func (t *tx) LastLogin(ctx context.Context, userID int64) (auth.PastLogin, error) {
	var p auth.PastLogin
	err := t.tx.QueryRowContext(ctx, `
		SELECT created_at, device_info, geolocation_city, geolocation_country, latitude,
			longitude
		FROM user_activity_logs
		WHERE user_id = ? AND event_type IN `+successEvents+`
		ORDER BY created_at DESC, id DESC
		LIMIT 1`, userID).Scan(timeText{t: &p.At}, &p.DeviceInfo, &p.City, &p.Country,
		&p.Latitude, &p.Longitude)
	if err != nil {
		return auth.PastLogin{}, mapErr("last login", err)
	}
	return p, nil
}

// DeviceSeen reports whether the user had a successful login from device at or after
// since.
func (t *tx) DeviceSeen(ctx context.Context, userID int64, device string,
	since time.Time) (bool, error) {
	var seen bool
	err := t.tx.QueryRowContext(ctx, `
		SELECT EXISTS (SELECT 1 FROM user_activity_logs
			WHERE user_id = ? AND event_type IN `+successEvents+`
				AND device_info = ? AND created_at >= ?)`,
		userID, device, formatTime(since)).Scan(&seen)
	return seen, mapErr("device seen", err)
}

// CountrySeen reports whether the user ever had a successful login from country.
func (t *tx) CountrySeen(ctx context.Context, userID int64, country string) (bool, error) {
	var seen bool
	err := t.tx.QueryRowContext(ctx, `
		SELECT EXISTS (SELECT 1 FROM user_activity_logs
			WHERE user_id = ? AND event_type IN `+successEvents+`
				AND geolocation_country = ?)`, userID, country).Scan(&seen)
	return seen, mapErr("country seen", err)
}

// FailedLoginTimes returns the times of the user's failed logins at or after since, newest
// first, at most limit.
func (t *tx) FailedLoginTimes(ctx context.Context, userID int64, since time.Time,
	limit int) ([]time.Time, error) {
	rows, err := t.tx.QueryContext(ctx, `
		SELECT created_at FROM user_activity_logs
		WHERE user_id = ? AND event_type = ? AND created_at >= ?
		ORDER BY created_at DESC
		LIMIT ?`, userID, auth.EventLoginFailed, formatTime(since), limit)
	if err != nil {
		return nil, mapErr("failed login times", err)
	}
	defer rows.Close()

	var out []time.Time
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(timeText{t: &at}); err != nil {
			return nil, mapErr("failed login times", err)
		}
		out = append(out, at)
	}
	return out, mapErr("failed login times", rows.Err())
}

// FailedAccountsFromIP counts the distinct accounts that failed logins from ip at or after
// since: known users by id, unknown ones by their attempted name.
func (t *tx) FailedAccountsFromIP(ctx context.Context, ip string, since time.Time) (int,
	error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `
		SELECT COUNT(DISTINCT COALESCE('u:' || user_id,
			'n:' || CASE WHEN json_valid(extra_info)
				THEN json_extract(extra_info, '$.attempted_username') END))
		FROM user_activity_logs
		WHERE ip_address = ? AND event_type = ? AND created_at >= ?`,
		ip, auth.EventLoginFailed, formatTime(since)).Scan(&n)
	return n, mapErr("failed accounts from ip", err)
}
