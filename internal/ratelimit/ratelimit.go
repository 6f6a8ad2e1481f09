// Package ratelimit counts attempts against auth.Rules with the generic cell-rate algorithm
// (GCRA) of throttled, in process memory or in Redis shared by every server.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/throttled/throttled/v2"
	"github.com/throttled/throttled/v2/store/goredisstore.v9"
	"github.com/throttled/throttled/v2/store/memstore"

	"github.com/finintelli/auth/internal/auth"
)

// Defaults of a Limiter.
const (
	// MemoryKeys bounds the keys an in-process store keeps; the least recently used go first.
	MemoryKeys = 65536

	// DefaultTimeout bounds one decision taken in Redis.
	DefaultTimeout = 300 * time.Millisecond

	// DefaultRetryInterval is how often a Limiter tries Redis again while it is down.
	DefaultRetryInterval = time.Second

	// maxKeyLen is the longest key stored as given; longer ones are stored as a hash.
	maxKeyLen = 128
)

// Limiter implements auth.Limiter. It is safe for concurrent use.
type Limiter struct {
	// Timeout bounds each decision taken in Redis (default DefaultTimeout); after it the
	// decision is taken in memory. Set it before first use; a memory Limiter ignores it.
	Timeout time.Duration

	// RetryInterval is how long a Limiter keeps to memory after Redis failed before it
	// tries Redis again (default DefaultRetryInterval). Set it before first use; a memory
	// Limiter ignores it.
	RetryInterval time.Duration

	shared *rules // in Redis; nil for a memory-only Limiter
	local  *rules // in process memory: the only store, or the fallback
	logger *slog.Logger

	down      atomic.Bool  // Redis failed and has not answered since
	nextProbe atomic.Int64 // while down: Unix nanoseconds before which Redis is not tried
}

var _ auth.Limiter = (*Limiter)(nil)

// NewMemory returns a Limiter that counts in process memory, for a single server.
func NewMemory() *Limiter {
	return &Limiter{local: newRules(newMemoryStore()), logger: slog.Default()}
}

// NewRedis returns a Limiter that counts in Redis under keys starting with prefix, so that
// every server sharing the Redis shares the counts. When Redis fails, each attempt is
// decided in process memory instead; the Limiter logs the outage once at Warn, tries Redis
// again at most once per RetryInterval, and logs at Info when Redis is back. A nil logger
// means slog.Default().
func NewRedis(client redis.UniversalClient, prefix string, logger *slog.Logger) *Limiter {
	if logger == nil {
		logger = slog.Default()
	}
	// NewCtx cannot fail: it only stores its arguments.
	st, _ := goredisstore.NewCtx(client, prefix)
	return &Limiter{
		shared: newRules(storeErrors{st}),
		local:  newRules(newMemoryStore()),
		logger: logger,
	}
}

func newMemoryStore() throttled.GCRAStoreCtx {
	st, err := memstore.NewCtx(MemoryKeys)
	if err != nil {
		// memstore fails only for a size below one.
		panic(fmt.Sprintf("ratelimit: memory store: %v", err))
	}
	return st
}

// Allow takes one attempt from key's bucket under rule. Rule.Limit attempts pass at once;
// after that one more passes every Period/Limit. A refused Decision has a RetryAfter of at
// least one second, in whole seconds. The error is non-nil only for an invalid rule or
// when ctx ends; a Redis failure falls back to memory.
func (l *Limiter) Allow(ctx context.Context, rule auth.Rule, key string) (auth.Decision, error) {
	if rule.Limit <= 0 || rule.Period <= 0 || rule.Period/time.Duration(rule.Limit) <= 0 {
		return auth.Decision{}, fmt.Errorf("ratelimit: invalid rule %q: %d per %v",
			rule.Name, rule.Limit, rule.Period)
	}
	if err := ctx.Err(); err != nil {
		return auth.Decision{}, fmt.Errorf("ratelimit: %w", err)
	}
	key = storeKey(rule.Name, key)

	if l.shared != nil && l.tryRedis() {
		d, err := l.decideInRedis(ctx, rule, key)
		if err == nil {
			l.markUp()
			return d, nil
		}
		if ctx.Err() != nil {
			return auth.Decision{}, fmt.Errorf("ratelimit: %w", ctx.Err())
		}
		l.markDown(err)
	}
	return l.local.decide(ctx, rule, key)
}

// storeKey joins the rule name and the key. A long key (it may hold user input) is replaced
// by its hash, so that one request cannot make the store keep a large key.
func storeKey(rule, key string) string {
	if len(key) > maxKeyLen {
		sum := sha256.Sum256([]byte(key))
		key = "sha256:" + hex.EncodeToString(sum[:])
	}
	return rule + ":" + key
}
