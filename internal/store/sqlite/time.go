package sqlite

import (
	"fmt"
	"time"
)

// timeLayout is how times are stored: UTC with a fixed six-digit fraction, so that text order
// is time order. Six digits match PostgreSQL, so both stores hand back the same values.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

// stamp returns t as it will be stored (UTC, whole microseconds), or the current time when
// t is zero.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

// formatTime returns t as stored text.
func formatTime(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format(timeLayout)
}

// formatTimePtr returns t as stored text, or nil (NULL) when t is nil.
func formatTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

// timeText scans a stored time into *t.
type timeText struct{ t *time.Time }

// Scan implements sql.Scanner.
func (s timeText) Scan(src any) error {
	switch v := src.(type) {
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	case time.Time:
		*s.t = v.UTC()
		return nil
	}
	return fmt.Errorf("time column holds %T, want text", src)
}

func (s timeText) parse(v string) error {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return fmt.Errorf("time column: %w", err)
	}
	*s.t = t.UTC()
	return nil
}

// nullTimeText scans a stored time or NULL into *t.
type nullTimeText struct{ t **time.Time }

// Scan implements sql.Scanner.
func (s nullTimeText) Scan(src any) error {
	if src == nil {
		*s.t = nil
		return nil
	}
	var t time.Time
	if err := (timeText{t: &t}).Scan(src); err != nil {
		return err
	}
	*s.t = &t
	return nil
}
