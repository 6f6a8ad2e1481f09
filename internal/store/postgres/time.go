package postgres

import "time"

// utc returns t as PostgreSQL stores it: UTC, whole microseconds. Times always go out in UTC,
// because pgx writes the wall clock of a time as-is into the "timestamp without time zone"
// columns of a legacy schema.
func utc(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// stamp returns utc(t), or the current time when t is zero.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		t = time.Now()
	}
	return utc(t)
}

// utcPtr returns utc(*t), or nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := utc(*t)
	return &u
}
