package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// TestPoolStats holds the one write connection in a transaction, starts a second one, and
// checks that the figures show the connection in use and the second transaction waiting.
func TestPoolStats(t *testing.T) {
	s := openStore(t)

	stats := s.PoolStats()
	if len(stats) != 2 {
		t.Fatalf("got %d pools, want 2", len(stats))
	}
	for i, want := range []struct {
		pool string
		max  int
	}{{"sqlite_write", 1}, {"sqlite_read", 4}} {
		if got := stats[i]; got.Pool != want.pool || got.Max != want.max {
			t.Errorf("pool %d: got %q max %d, want %q max %d", i, got.Pool, got.Max,
				want.pool, want.max)
		}
	}

	held, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- s.InTx(t.Context(), func(auth.Tx) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	if got := s.PoolStats()[0].Acquired; got != 1 {
		t.Errorf("write connections in use during a transaction: got %d, want 1", got)
	}

	second := make(chan error, 1)
	go func() { second <- s.InTx(t.Context(), func(auth.Tx) error { return nil }) }()
	waitFor(t, func() bool { return s.PoolStats()[0].Waits == 1 })
	time.Sleep(10 * time.Millisecond)
	close(release)
	for _, ch := range []chan error{first, second} {
		if err := <-ch; err != nil {
			t.Fatalf("InTx: %v", err)
		}
	}

	after := s.PoolStats()[0]
	if after.Waits != 1 || after.WaitDuration < 10*time.Millisecond || after.Acquired != 0 {
		t.Errorf("after: got waits %d, wait %v, in use %d; want 1, >= 10ms, 0",
			after.Waits, after.WaitDuration, after.Acquired)
	}
}

// waitFor polls cond until it holds, failing after a generous deadline.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for !cond() {
		if ctx.Err() != nil {
			t.Fatal("timed out waiting for the second transaction to queue")
		}
		time.Sleep(time.Millisecond)
	}
}
