package ratelimit

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/throttled/throttled/v2"

	"github.com/finintelli/auth/internal/auth"
)

// rules holds one GCRA limiter per rule over one store.
type rules struct {
	store throttled.GCRAStoreCtx
	mu    sync.Mutex
	byKey map[auth.Rule]*throttled.GCRARateLimiterCtx
}

func newRules(st throttled.GCRAStoreCtx) *rules {
	return &rules{store: st, byKey: make(map[auth.Rule]*throttled.GCRARateLimiterCtx)}
}

// limiter returns the GCRA limiter of rule, making it on first use. Rules are cached by
// their whole value, so a changed Limit or Period gets its own limiter.
func (rs *rules) limiter(rule auth.Rule) (*throttled.GCRARateLimiterCtx, error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()

	if g, ok := rs.byKey[rule]; ok {
		return g, nil
	}
	// A burst of Limit-1 on top of the one attempt the rate allows lets exactly Limit
	// attempts through at once; the bucket then refills one attempt every Period/Limit.
	quota := throttled.RateQuota{
		MaxRate:  throttled.PerDuration(rule.Limit, rule.Period),
		MaxBurst: rule.Limit - 1,
	}
	g, err := throttled.NewGCRARateLimiterCtx(rs.store, quota)
	if err != nil {
		return nil, fmt.Errorf("ratelimit: rule %q: %w", rule.Name, err)
	}
	// Attempts that race on one key retry their compare-and-swap; allow more retries than
	// the default 10 so that a burst of concurrent attempts is counted, not failed.
	g.SetMaxCASAttemptsLimit(100)
	rs.byKey[rule] = g
	return g, nil
}

func (rs *rules) decide(ctx context.Context, rule auth.Rule, key string) (
	auth.Decision, error) {
	g, err := rs.limiter(rule)
	if err != nil {
		return auth.Decision{}, err
	}
	limited, res, err := g.RateLimitCtx(ctx, key, 1)
	if err != nil {
		return auth.Decision{}, fmt.Errorf("ratelimit: %w", err)
	}
	if !limited {
		return auth.Decision{Allowed: true}, nil
	}
	return auth.Decision{RetryAfter: roundUp(res.RetryAfter)}, nil
}

// roundUp returns d rounded up to whole seconds, and at least one second.
func roundUp(d time.Duration) time.Duration {
	if d <= time.Second {
		return time.Second
	}
	return (d + time.Second - 1).Truncate(time.Second)
}
