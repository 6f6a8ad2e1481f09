package password_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/password"
)

// gate blocks every holder of a hashing slot until it is opened, so that tests decide who
// holds the slots instead of racing the clock.
type gate struct {
	entered chan struct{}
	open    chan struct{}
	maxSeen atomic.Int64
	h       *password.Hasher
}

func newGated(t *testing.T, cfg password.Config) *gate {
	t.Helper()
	g := &gate{entered: make(chan struct{}, 64), open: make(chan struct{})}
	g.h = password.New(cfg)
	password.SetHook(g.h, func() {
		running := int64(g.h.Stats().Running)
		for {
			seen := g.maxSeen.Load()
			if running <= seen || g.maxSeen.CompareAndSwap(seen, running) {
				break
			}
		}
		g.entered <- struct{}{}
		<-g.open
	})
	t.Cleanup(g.release)
	return g
}

func (g *gate) release() {
	select {
	case <-g.open:
	default:
		close(g.open)
	}
}

// waitFor polls cond until it holds. Only how long the wait is depends on timing; the outcome
// of the test does not.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestHashBusy(t *testing.T) {
	const callers = 10
	g := newGated(t, password.Config{Cost: 10, MaxConcurrent: 1, MaxQueue: 1, MaxWait: -1})

	results := make(chan error, callers)
	for range callers {
		go func() {
			_, err := g.h.Hash(context.Background(), "pw")
			results <- err
		}()
	}

	// While the gate is shut one caller holds the slot and one waits; all others must be
	// refused at once.
	for i := range callers - 2 {
		if err := <-results; !errors.Is(err, password.ErrBusy) {
			t.Fatalf("result %d: got %v, want ErrBusy", i, err)
		}
	}
	<-g.entered
	if got, want := g.h.Stats(), (password.Stats{Running: 1, Waiting: 1}); got != want {
		t.Errorf("stats while saturated: got %+v, want %+v", got, want)
	}

	g.release()
	for i := range 2 {
		if err := <-results; err != nil {
			t.Errorf("admitted call %d: got %v, want nil", i, err)
		}
	}

	if got := g.maxSeen.Load(); got != 1 {
		t.Errorf("most running at once: got %d, want 1", got)
	}
	if got, want := g.h.Stats(), (password.Stats{}); got != want {
		t.Errorf("stats when idle: got %+v, want %+v", got, want)
	}
}

func TestConcurrencyBound(t *testing.T) {
	const callers = 12
	g := newGated(t, password.Config{Cost: 4, MaxConcurrent: 3, MaxQueue: callers, MaxWait: -1})

	results := make(chan error, callers)
	for range callers {
		go func() {
			_, err := g.h.Hash(context.Background(), "pw")
			results <- err
		}()
	}

	waitFor(t, "three running and nine waiting", func() bool {
		return g.h.Stats() == password.Stats{Running: 3, Waiting: callers - 3}
	})
	g.release()

	for range callers {
		if err := <-results; err != nil {
			t.Errorf("got %v, want nil", err)
		}
	}
	if got := g.maxSeen.Load(); got > 3 {
		t.Errorf("most running at once: got %d, want at most 3", got)
	}
}

func TestWaitCanceled(t *testing.T) {
	g := newGated(t, password.Config{Cost: 4, MaxConcurrent: 1, MaxQueue: 4, MaxWait: -1})

	holder := make(chan error, 1)
	go func() {
		_, err := g.h.Hash(context.Background(), "pw")
		holder <- err
	}()
	<-g.entered

	ctx, cancel := context.WithCancel(t.Context())
	waiter := make(chan error, 1)
	go func() {
		_, _, err := g.h.Verify(ctx, "$2a$04$"+string(make([]byte, 53)), "pw")
		waiter <- err
	}()
	waitFor(t, "one waiter", func() bool { return g.h.Stats().Waiting == 1 })

	cancel()
	if err := <-waiter; !errors.Is(err, context.Canceled) {
		t.Errorf("canceled waiter: got %v, want context.Canceled", err)
	}
	if got := g.h.Stats(); got.Waiting != 0 {
		t.Errorf("waiting after cancel: got %d, want 0", got.Waiting)
	}

	g.release()
	if err := <-holder; err != nil {
		t.Errorf("holder: got %v, want nil", err)
	}
}

func TestNoQueue(t *testing.T) {
	g := newGated(t, password.Config{Cost: 4, MaxConcurrent: 1, MaxQueue: -1, MaxWait: -1})

	holder := make(chan error, 1)
	go func() {
		_, err := g.h.Hash(context.Background(), "pw")
		holder <- err
	}()
	<-g.entered

	ctx := t.Context()
	hash := "$2a$04$TUV15NvoebyjvH5xrUhA2.JDej15kT8aChvyEgbaOC6U03hih25Aa"
	calls := []struct {
		name string
		call func() error
	}{
		{"Hash", func() error { _, err := g.h.Hash(ctx, "pw"); return err }},
		{"Verify bcrypt", func() error { _, _, err := g.h.Verify(ctx, hash, "pw"); return err }},
		{"Verify unknown", func() error { _, _, err := g.h.Verify(ctx, "x", "pw"); return err }},
		{"VerifyDummy", func() error { return g.h.VerifyDummy(ctx, "pw") }},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			if err := c.call(); !errors.Is(err, password.ErrBusy) {
				t.Errorf("got %v, want ErrBusy", err)
			}
		})
	}

	g.release()
	if err := <-holder; err != nil {
		t.Errorf("holder: got %v, want nil", err)
	}
}

// TestMaxWait checks that a caller who waits longer than MaxWait for a slot gets ErrBusy,
// so that an overloaded server answers at once instead of piling up slow requests.
func TestMaxWait(t *testing.T) {
	g := newGated(t, password.Config{Cost: 4, MaxConcurrent: 1, MaxQueue: 4,
		MaxWait: 20 * time.Millisecond})
	holder := make(chan error, 1)
	go func() {
		_, err := g.h.Hash(context.Background(), "holder-password")
		holder <- err
	}()
	<-g.entered

	_, err := g.h.Hash(context.Background(), "waiter-password")
	if !errors.Is(err, password.ErrBusy) {
		t.Fatalf("waiter: got %v, want ErrBusy", err)
	}
	if got := g.h.Stats().Waiting; got != 0 {
		t.Fatalf("waiting after the timeout: got %d, want 0", got)
	}

	g.release()
	if err := <-holder; err != nil {
		t.Fatalf("holder: %v", err)
	}
}
