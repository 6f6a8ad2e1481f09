package config

import (
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// loader reads one key at a time and collects every problem and warning on the way, so that
// a single run reports all of them.
type loader struct {
	lookup   func(string) (string, bool)
	file     map[string]string
	problems Problems
	warnings []string
}

// raw returns the value of key exactly as given: a non-empty environment value wins over
// the .env file.
func (l *loader) raw(key string) string {
	if v, ok := l.lookup(key); ok && v != "" {
		return v
	}
	return l.file[key]
}

// str returns the value of key without surrounding spaces, or def when it is empty.
func (l *loader) str(key, def string) string {
	if v := strings.TrimSpace(l.raw(key)); v != "" {
		return v
	}
	return def
}

func (l *loader) problem(key, format string, args ...any) {
	l.problems = append(l.problems, key+": "+fmt.Sprintf(format, args...))
}

func (l *loader) warn(key, format string, args ...any) {
	l.warnings = append(l.warnings, key+": "+fmt.Sprintf(format, args...))
}

// intIn returns key as an integer in [lo, hi], or def when it is unset.
func (l *loader) intIn(key string, def, lo, hi int) int {
	v := l.str(key, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		l.problem(key, "%q is not a whole number", v)
		return def
	}
	if n < lo || n > hi {
		l.problem(key, "must be between %d and %d, not %d", lo, hi, n)
		return def
	}
	return n
}

// units returns key, a whole number of unit in [lo, hi], as a duration.
func (l *loader) units(key string, def, lo, hi int, unit time.Duration) time.Duration {
	return time.Duration(l.intIn(key, def, lo, hi)) * unit
}

// boolean returns key as true/false/1/0/yes/no (any case), or def when it is unset.
func (l *loader) boolean(key string, def bool) bool {
	v := strings.ToLower(l.str(key, ""))
	switch v {
	case "":
		return def
	case "true", "1", "yes":
		return true
	case "false", "0", "no":
		return false
	}
	l.problem(key, "%q is not a boolean (use true or false)", v)
	return def
}

// oneOf returns key when it is one of allowed (exact case), or def when it is unset.
func (l *loader) oneOf(key, def string, allowed ...string) string {
	v := l.str(key, def)
	if !slices.Contains(allowed, v) {
		l.problem(key, "must be one of %s, not %q", strings.Join(allowed, ", "), v)
		return def
	}
	return v
}

// level returns key as a log level (debug, info, warn, error), or def when it is unset.
func (l *loader) level(key string, def slog.Level) slog.Level {
	v := l.str(key, "")
	if v == "" {
		return def
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(v)); err != nil {
		l.problem(key, "%q is not a log level (use debug, info, warn or error)", v)
		return def
	}
	return lv
}

// rule returns key, written as N/duration such as 5/1m, as a rate-limit rule called name.
func (l *loader) rule(key, name, def string) auth.Rule {
	v := l.str(key, def)
	r, err := parseRule(name, v)
	if err != nil {
		l.problem(key, "%v", err)
		r, _ = parseRule(name, def)
	}
	return r
}

func parseRule(name, v string) (auth.Rule, error) {
	count, period, ok := strings.Cut(v, "/")
	if !ok {
		return auth.Rule{}, fmt.Errorf("%q is not N/duration, such as 5/1m", v)
	}

	n, err := strconv.Atoi(strings.TrimSpace(count))
	if err != nil || n <= 0 || n > 1_000_000 {
		return auth.Rule{}, fmt.Errorf("%q: the count must be a whole number from 1 to 1000000", v)
	}
	d, err := time.ParseDuration(strings.TrimSpace(period))
	if err != nil || d < time.Second {
		return auth.Rule{}, fmt.Errorf("%q: the period must be a duration of at least 1s, "+
			"such as 1m or 24h", v)
	}
	return auth.Rule{Name: name, Limit: n, Period: d}, nil
}
