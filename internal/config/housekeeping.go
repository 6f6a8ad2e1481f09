package config

import (
	"strings"
	"time"
)

// Bounds of HOUSEKEEPING_INTERVAL.
const (
	minHousekeepingInterval = time.Minute
	maxHousekeepingInterval = 7 * 24 * time.Hour
)

// Housekeeping holds the settings of the periodic clean-up jobs.
type Housekeeping struct {
	// TokenRetention is how long refresh tokens are kept after they expired or their
	// session was revoked (TOKEN_RETENTION_DAYS, default 30).
	TokenRetention time.Duration
	// ActivityRetention is how long rows of the activity log are kept
	// (ACTIVITY_RETENTION_DAYS, default 365).
	ActivityRetention time.Duration
	// Interval is how often the server runs the jobs (HOUSEKEEPING_INTERVAL, default 1h);
	// zero means never, for deployments that run "finintelli tokens prune" and
	// "finintelli activity prune" from cron instead.
	Interval time.Duration
}

// housekeeping reads the *_RETENTION_DAYS settings and HOUSEKEEPING_INTERVAL.
func (l *loader) housekeeping(c *Config) {
	c.Housekeeping = Housekeeping{
		TokenRetention:    l.units("TOKEN_RETENTION_DAYS", 30, 1, 3650, 24*time.Hour),
		ActivityRetention: l.units("ACTIVITY_RETENTION_DAYS", 365, 1, 36500, 24*time.Hour),
		Interval:          l.interval("HOUSEKEEPING_INTERVAL", time.Hour),
	}
}

// interval returns key as a duration such as 30m or 6h between the bounds of
// HOUSEKEEPING_INTERVAL, 0 for "0" or "off", or def when it is unset.
func (l *loader) interval(key string, def time.Duration) time.Duration {
	v := strings.ToLower(l.str(key, ""))
	switch v {
	case "":
		return def
	case "0", "off":
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < minHousekeepingInterval || d > maxHousekeepingInterval {
		l.problem(key, "%q must be a duration from %s to %s, such as 1h, or off", v,
			minHousekeepingInterval, maxHousekeepingInterval)
		return def
	}
	return d
}
