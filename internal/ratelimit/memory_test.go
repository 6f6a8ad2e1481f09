package ratelimit_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/ratelimit"
)

// ceilSeconds returns d rounded up to whole seconds.
func ceilSeconds(d time.Duration) time.Duration {
	return (d + time.Second - 1).Truncate(time.Second)
}

// checkBurst takes rule.Limit attempts, which must pass, and one more, which must be refused
// with a RetryAfter of one emission interval (Period/Limit) rounded up to whole seconds.
func checkBurst(t *testing.T, l auth.Limiter, rule auth.Rule, key string) {
	t.Helper()
	ctx := context.Background()
	for i := range rule.Limit {
		d, err := l.Allow(ctx, rule, key)
		if err != nil || !d.Allowed {
			t.Fatalf("attempt %d of %d: got %+v, %v, want allowed", i+1, rule.Limit, d, err)
		}
	}

	d, err := l.Allow(ctx, rule, key)
	if err != nil || d.Allowed {
		t.Fatalf("attempt %d: got %+v, %v, want refused", rule.Limit+1, d, err)
	}
	want := max(time.Second, ceilSeconds(rule.Period/time.Duration(rule.Limit)))
	if d.RetryAfter != want || d.RetryAfter <= 0 || d.RetryAfter > max(rule.Period, time.Second) {
		t.Errorf("RetryAfter: got %v, want %v (in (0, %v])", d.RetryAfter, want, rule.Period)
	}
}

var burstRules = []auth.Rule{
	{Name: "one_per_hour", Limit: 1, Period: time.Hour},
	{Name: "login_ip", Limit: 5, Period: time.Minute},
	{Name: "daily", Limit: 100, Period: 24 * time.Hour},
	{Name: "seven_per_10s", Limit: 7, Period: 10 * time.Second},
	{Name: "refresh_session", Limit: 60, Period: time.Minute},
}

func TestMemoryBurst(t *testing.T) {
	for _, rule := range burstRules {
		t.Run(rule.Name, func(t *testing.T) {
			checkBurst(t, ratelimit.NewMemory(), rule, "203.0.113.7")
		})
	}
}

func TestMemoryKeysIndependent(t *testing.T) {
	checkIndependent(t, ratelimit.NewMemory())
}

// checkIndependent exhausts one key and checks that other keys, other rules and the hash
// of long keys are counted apart.
func checkIndependent(t *testing.T, l auth.Limiter) {
	t.Helper()
	ctx := context.Background()
	rule := auth.Rule{Name: "login_ip", Limit: 2, Period: time.Hour}
	other := auth.Rule{Name: "register_ip", Limit: 2, Period: time.Hour}
	long1 := strings.Repeat("a", 5000) + "1"
	long2 := strings.Repeat("a", 5000) + "2"
	for _, key := range []string{"a", long1} {
		for range rule.Limit {
			l.Allow(ctx, rule, key)
		}
	}

	tests := []struct {
		name string
		rule auth.Rule
		key  string
		want bool
	}{
		{"exhausted key", rule, "a", false},
		{"exhausted long key", rule, long1, false},
		{"other key", rule, "b", true},
		{"other long key", rule, long2, true},
		{"key with the rule's separator", rule, "a:", true},
		{"same key other rule", other, "a", true},
	}
	for _, tc := range tests {
		d, err := l.Allow(ctx, tc.rule, tc.key)
		if err != nil || d.Allowed != tc.want {
			t.Errorf("%s: got %+v, %v, want Allowed=%v", tc.name, d, err, tc.want)
		}
	}
}

func TestMemoryRefill(t *testing.T) {
	l := ratelimit.NewMemory()
	rule := auth.Rule{Name: "refill", Limit: 4, Period: 2 * time.Second} // one per 500ms
	ctx := context.Background()
	for range rule.Limit {
		l.Allow(ctx, rule, "k")
	}
	if d, _ := l.Allow(ctx, rule, "k"); d.Allowed {
		t.Fatal("attempt after the burst allowed, want refused")
	}

	time.Sleep(600 * time.Millisecond)
	if d, err := l.Allow(ctx, rule, "k"); err != nil || !d.Allowed {
		t.Errorf("after one interval: got %+v, %v, want allowed", d, err)
	}
	if d, _ := l.Allow(ctx, rule, "k"); d.Allowed {
		t.Error("second attempt after one interval allowed, want refused")
	}
}

func TestMemoryConcurrent(t *testing.T) {
	checkConcurrent(t, ratelimit.NewMemory())
}

// checkConcurrent makes 100 attempts at once on one key: exactly Limit may pass.
func checkConcurrent(t *testing.T, l auth.Limiter) {
	t.Helper()
	rule := auth.Rule{Name: "concurrent", Limit: 10, Period: time.Hour}
	var allowed, failed atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 100 {
		wg.Go(func() {
			<-start
			d, err := l.Allow(context.Background(), rule, "shared")
			if err != nil {
				failed.Add(1)
			}
			if d.Allowed {
				allowed.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()

	if got := allowed.Load(); got != int32(rule.Limit) || failed.Load() != 0 {
		t.Errorf("got %d allowed and %d errors, want %d and 0", got, failed.Load(), rule.Limit)
	}
}

func TestInvalidRule(t *testing.T) {
	rules := []auth.Rule{
		{Name: "zero limit", Limit: 0, Period: time.Minute},
		{Name: "negative limit", Limit: -1, Period: time.Minute},
		{Name: "zero period", Limit: 5, Period: 0},
		{Name: "interval under 1ns", Limit: 10, Period: 5 * time.Nanosecond},
	}
	for _, rule := range rules {
		t.Run(rule.Name, func(t *testing.T) {
			d, err := ratelimit.NewMemory().Allow(context.Background(), rule, "k")
			if err == nil || d.Allowed {
				t.Errorf("got %+v, %v, want an error and no permission", d, err)
			}
		})
	}
}

func TestRoundUp(t *testing.T) {
	tests := []struct{ in, want time.Duration }{
		{-time.Second, time.Second},
		{0, time.Second},
		{time.Nanosecond, time.Second},
		{time.Second, time.Second},
		{time.Second + time.Nanosecond, 2 * time.Second},
		{11500 * time.Millisecond, 12 * time.Second},
		{12 * time.Second, 12 * time.Second},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.in), func(t *testing.T) {
			if got := ratelimit.RoundUp(tc.in); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func BenchmarkMemory(b *testing.B) {
	l := ratelimit.NewMemory()
	rule := auth.Rule{Name: "bench", Limit: 1_000_000, Period: time.Hour}
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = fmt.Sprintf("198.51.100.%d", i)
	}
	ctx := context.Background()
	b.ResetTimer()

	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			if _, err := l.Allow(ctx, rule, keys[i%int64(len(keys))]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
