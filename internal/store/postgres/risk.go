package postgres

import (
	"context"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// successEvents are the event types that count as a successful login for the risk engine.
const successEvents = `('` + auth.EventLoginSuccess + `', '` + auth.EventRegister + `')`

// LastLogin returns the user's latest successful login, or auth.ErrNotFound. Legacy rows
// may have NULL columns, read as zero values.
func (t *tx) LastLogin(ctx context.Context, userID int64) (auth.PastLogin, error) {
	var p auth.PastLogin
	err := t.tx.QueryRow(ctx, `
		SELECT COALESCE(created_at, 'epoch'), COALESCE(device_info, ''),
			COALESCE(geolocation_city, ''), COALESCE(geolocation_country, ''), latitude,
			longitude
		FROM user_activity_logs
		WHERE user_id = $1 AND event_type IN `+successEvents+`
		ORDER BY created_at DESC NULLS LAST, id DESC
		LIMIT 1`, userID).Scan(&p.At, &p.DeviceInfo, &p.City, &p.Country, &p.Latitude,
		&p.Longitude)
	if err != nil {
		return auth.PastLogin{}, mapErr("last login", err)
	}
	p.At = p.At.UTC()
	return p, nil
}

// DeviceSeen reports whether the user had a successful login from device at or after
// since.
func (t *tx) DeviceSeen(ctx context.Context, userID int64, device string,
	since time.Time) (bool, error) {
	var seen bool
	err := t.tx.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM user_activity_logs
			WHERE user_id = $1 AND event_type IN `+successEvents+`
				AND device_info = $2 AND created_at >= $3)`,
		userID, device, utc(since)).Scan(&seen)
	return seen, mapErr("device seen", err)
}

// CountrySeen reports whether the user ever had a successful login from country.
func (t *tx) CountrySeen(ctx context.Context, userID int64, country string) (bool, error) {
	var seen bool
	err := t.tx.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM user_activity_logs
			WHERE user_id = $1 AND event_type IN `+successEvents+`
				AND geolocation_country = $2)`, userID, country).Scan(&seen)
	return seen, mapErr("country seen", err)
}

// FailedLoginTimes returns the times of the user's failed logins at or after since, newest
// first, at most limit.
func (t *tx) FailedLoginTimes(ctx context.Context, userID int64, since time.Time,
	limit int) ([]time.Time, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT created_at FROM user_activity_logs
		WHERE user_id = $1 AND event_type = $2 AND created_at >= $3
		ORDER BY created_at DESC
		LIMIT $4`, userID, auth.EventLoginFailed, utc(since), limit)
	if err != nil {
		return nil, mapErr("failed login times", err)
	}
	defer rows.Close()

	var out []time.Time
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			return nil, mapErr("failed login times", err)
		}
		out = append(out, at.UTC())
	}
	return out, mapErr("failed login times", rows.Err())
}

// FailedAccountsFromIP counts the distinct accounts that failed logins from ip at or after
// since: known users by id, unknown ones by their attempted name. extra_info may be json in
// a legacy schema; ->> reads both json and jsonb.
func (t *tx) FailedAccountsFromIP(ctx context.Context, ip string, since time.Time) (int,
	error) {
	var n int
	err := t.tx.QueryRow(ctx, `
		SELECT COUNT(DISTINCT COALESCE('u:' || user_id::text,
			'n:' || (extra_info ->> 'attempted_username')))
		FROM user_activity_logs
		WHERE ip_address = $1 AND event_type = $2 AND created_at >= $3`,
		ip, auth.EventLoginFailed, utc(since)).Scan(&n)
	return n, mapErr("failed accounts from ip", err)
}
