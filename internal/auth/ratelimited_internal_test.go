package auth

import (
	"strconv"
	"testing"
	"time"
)

func TestLimitLog(t *testing.T) {
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimitLog()
	steps := []struct {
		key  string
		at   time.Duration
		want bool
	}{
		{"a", 0, true},
		{"a", time.Second, false},
		{"b", time.Second, true},
		{"a", 59 * time.Second, false},
		{"a", time.Minute, true}, // a new period
		{"a", time.Minute + time.Second, false},
	}
	for i, s := range steps {
		if got := l.first(s.key, t0.Add(s.at), time.Minute); got != s.want {
			t.Errorf("step %d: first(%q) at +%v: got %t, want %t", i+1, s.key, s.at, got,
				s.want)
		}
	}
}

// TestLimitLogBounded: a flood of distinct keys fills the log up to its bound, then
// records nothing more until remembered refusals expire.
func TestLimitLogBounded(t *testing.T) {
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimitLog()
	recorded := 0
	for i := range maxLimitLog + 500 {
		if l.first("k"+strconv.Itoa(i), t0, time.Hour) {
			recorded++
		}
	}
	if recorded != maxLimitLog || len(l.until) != maxLimitLog {
		t.Fatalf("got %d recorded, %d remembered; want %d of each", recorded, len(l.until),
			maxLimitLog)
	}
	if l.first("late", t0.Add(30*time.Minute), time.Hour) {
		t.Errorf("a full log recorded a new key before any expired")
	}
	if !l.first("late", t0.Add(time.Hour+time.Second), time.Hour) {
		t.Errorf("after the period: got false, want the key recorded")
	}
	if len(l.until) != 1 {
		t.Errorf("after the sweep: got %d remembered, want 1", len(l.until))
	}
}
