package password_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/password"
)

// TestOnWait holds the one slot while a second caller queues and a third is refused: the
// two that ran are reported, the queued one with at least the time it was held back.
func TestOnWait(t *testing.T) {
	const held = 20 * time.Millisecond
	var mu sync.Mutex
	var waits []time.Duration
	onWait := func(d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		waits = append(waits, d)
	}
	g := newGated(t, password.Config{Cost: 4, MaxConcurrent: 1, MaxQueue: 1, MaxWait: -1,
		OnWait: onWait})

	results := make(chan error, 2)
	hash := func() {
		_, err := g.h.Hash(context.Background(), "pw")
		results <- err
	}
	go hash()
	<-g.entered
	go hash()
	waitFor(t, "a caller in the queue", func() bool { return g.h.Stats().Waiting == 1 })
	if _, err := g.h.Hash(context.Background(), "pw"); !errors.Is(err, password.ErrBusy) {
		t.Fatalf("third caller: got %v, want ErrBusy", err)
	}

	time.Sleep(held)
	g.release()
	for range 2 {
		if err := <-results; err != nil {
			t.Fatalf("Hash: %v", err)
		}
	}

	mu.Lock()
	defer mu.Unlock()
	if len(waits) != 2 {
		t.Fatalf("reported waits: got %v, want 2", waits)
	}
	if waits[1] < held {
		t.Errorf("wait of the queued caller: got %v, want at least %v", waits[1], held)
	}
}
