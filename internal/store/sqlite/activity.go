package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/finintelli/auth/internal/auth"
)

// AddActivity appends a to the activity log and sets its ID; CreatedAt is set to now unless
// set.
func (t *tx) AddActivity(ctx context.Context, a *auth.Activity) error {
	created := stamp(a.CreatedAt)

	var id int64
	err := t.tx.QueryRowContext(ctx, `
		INSERT INTO user_activity_logs (user_id, event_type, ip_address, device_info,
			user_agent, geolocation_city, geolocation_country, login_success, risk_score,
			extra_info, created_at, latitude, longitude)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`,
		a.UserID, a.EventType, a.Client.IP, a.Client.DeviceInfo, a.Client.UserAgent,
		a.Client.City, a.Client.Country, a.LoginSuccess, a.RiskScore, a.ExtraJSON(),
		formatTime(created), a.Client.Latitude, a.Client.Longitude).Scan(&id)
	if err != nil {
		return mapErr("add activity", err)
	}

	a.ID, a.CreatedAt = id, created
	return nil
}

// ActivityByID returns one row of the activity log, or auth.ErrNotFound. It is not part of
// auth.Store; tests and tools use it to read the log back.
func (s *Store) ActivityByID(ctx context.Context, id int64) (auth.Activity, error) {
	var a auth.Activity
	var extra string
	err := s.read.QueryRowContext(ctx, `
		SELECT id, user_id, event_type, ip_address, device_info, user_agent,
			geolocation_city, geolocation_country, login_success, risk_score, extra_info,
			created_at, latitude, longitude
		FROM user_activity_logs WHERE id = ?`, id).Scan(&a.ID, &a.UserID, &a.EventType,
		&a.Client.IP, &a.Client.DeviceInfo, &a.Client.UserAgent, &a.Client.City,
		&a.Client.Country, &a.LoginSuccess, &a.RiskScore, &extra, timeText{t: &a.CreatedAt},
		&a.Client.Latitude, &a.Client.Longitude)
	if err != nil {
		return auth.Activity{}, mapErr(fmt.Sprintf("activity %d", id), err)
	}

	if a.ExtraInfo, err = decodeExtra(extra); err != nil {
		return auth.Activity{}, fmt.Errorf("sqlite: activity %d: %w", id, err)
	}
	return a, nil
}

// decodeExtra decodes the extra_info of a row. A value that is valid JSON but not an object
// is kept under the key "value".
func decodeExtra(s string) (map[string]any, error) {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("extra_info: %w", err)
	}
	switch m := v.(type) {
	case map[string]any:
		return m, nil
	case nil:
		return map[string]any{}, nil
	}
	return map[string]any{"value": v}, nil
}
