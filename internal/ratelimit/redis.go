package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/throttled/throttled/v2"

	"github.com/finintelli/auth/internal/auth"
)

// decideInRedis takes the decision in Redis within Timeout. The call runs in its own
// goroutine so that a Redis which stops answering cannot hold the request longer, whatever
// the client's own timeouts are.
func (l *Limiter) decideInRedis(ctx context.Context, rule auth.Rule, key string) (
	auth.Decision, error) {
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	type result struct {
		d   auth.Decision
		err error
	}
	done := make(chan result, 1)
	go func() {
		d, err := l.shared.decide(ctx, rule, key)
		done <- result{d, err}
	}()

	select {
	case r := <-done:
		return r.d, r.err
	case <-ctx.Done():
		return auth.Decision{}, fmt.Errorf("ratelimit: redis: %w", ctx.Err())
	}
}

// tryRedis reports whether this attempt should go to Redis: always while Redis is up, and
// for one attempt per RetryInterval while it is down.
func (l *Limiter) tryRedis() bool {
	if !l.down.Load() {
		return true
	}
	next := l.nextProbe.Load()
	now := time.Now().UnixNano()
	return now >= next && l.nextProbe.CompareAndSwap(next, now+int64(l.retryInterval()))
}

func (l *Limiter) retryInterval() time.Duration {
	if l.RetryInterval > 0 {
		return l.RetryInterval
	}
	return DefaultRetryInterval
}

func (l *Limiter) markDown(err error) {
	var se *storeError
	if !errors.As(err, &se) && !errors.Is(err, context.DeadlineExceeded) {
		// Not Redis's fault (such as too much contention on one key): decide this attempt
		// in memory, but do not call Redis down.
		return
	}
	l.nextProbe.Store(time.Now().Add(l.retryInterval()).UnixNano())
	if l.down.CompareAndSwap(false, true) {
		l.logger.Warn("rate limiter: Redis unreachable, using in-memory limits", "err", err)
	}
}

func (l *Limiter) markUp() {
	if l.down.Load() && l.down.CompareAndSwap(true, false) {
		l.logger.Info("rate limiter: Redis is back, using shared limits")
	}
}

// storeErrors marks every error of a store as a storeError, so that Allow can tell a Redis
// failure from the limiter giving up on contention.
type storeErrors struct{ throttled.GCRAStoreCtx }

type storeError struct{ err error }

func (e *storeError) Error() string { return "redis: " + e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

func wrapStoreErr(err error) error {
	if err == nil {
		return nil
	}
	return &storeError{err}
}

func (s storeErrors) GetWithTime(ctx context.Context, key string) (int64, time.Time, error) {
	v, t, err := s.GCRAStoreCtx.GetWithTime(ctx, key)
	return v, t, wrapStoreErr(err)
}

func (s storeErrors) SetIfNotExistsWithTTL(ctx context.Context, key string, value int64,
	ttl time.Duration) (bool, error) {
	ok, err := s.GCRAStoreCtx.SetIfNotExistsWithTTL(ctx, key, value, ttl)
	return ok, wrapStoreErr(err)
}

func (s storeErrors) CompareAndSwapWithTTL(ctx context.Context, key string, old, new int64,
	ttl time.Duration) (bool, error) {
	ok, err := s.GCRAStoreCtx.CompareAndSwapWithTTL(ctx, key, old, new, ttl)
	return ok, wrapStoreErr(err)
}
