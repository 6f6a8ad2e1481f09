package password

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// ErrBusy is returned when all hashing slots are taken and the queue of waiting callers is
// full, or a caller waited in it for longer than the configured bound. Callers should
// answer with a "try again later" status rather than an internal error.
var ErrBusy = errors.New("password: too many hashing operations in progress")

// Stats is a snapshot of a Hasher's load, for metrics.
type Stats struct {
	Running int // bcrypt operations running now
	Waiting int // callers queued for a slot
}

// limiter is a counting semaphore with a bounded queue. Waiting callers block on the channel
// send in their own goroutine; no goroutine is started per call.
type limiter struct {
	slots    chan struct{}
	maxQueue int64
	maxWait  time.Duration // <= 0: no bound
	waiting  atomic.Int64
}

func newLimiter(concurrent, queue int, wait time.Duration) *limiter {
	return &limiter{slots: make(chan struct{}, concurrent), maxQueue: int64(queue),
		maxWait: wait}
}

// acquire takes a slot, waiting in the queue when none is free. It returns ErrBusy when the
// queue is full and a wrapped ctx.Err() when ctx ends first.
func (l *limiter) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("password: %w", err)
	}

	select {
	case l.slots <- struct{}{}:
		return nil
	default:
	}

	if !l.enqueue() {
		return ErrBusy
	}
	defer l.waiting.Add(-1)

	var expired <-chan time.Time
	if l.maxWait > 0 {
		t := time.NewTimer(l.maxWait)
		defer t.Stop()
		expired = t.C
	}
	select {
	case l.slots <- struct{}{}:
		return nil
	case <-expired:
		return ErrBusy
	case <-ctx.Done():
		return fmt.Errorf("password: waiting for a hashing slot: %w", ctx.Err())
	}
}

// enqueue counts one more waiting caller unless the queue is full.
func (l *limiter) enqueue() bool {
	for {
		n := l.waiting.Load()
		if n >= l.maxQueue {
			return false
		}
		if l.waiting.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

func (l *limiter) release() {
	<-l.slots
}

func (l *limiter) stats() Stats {
	return Stats{Running: len(l.slots), Waiting: int(l.waiting.Load())}
}
