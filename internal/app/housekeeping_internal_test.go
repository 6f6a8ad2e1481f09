package app

import (
	"bytes"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/config"
	"github.com/finintelli/auth/internal/store/sqlite"
)

// syncBuffer is a log destination safe for the housekeeper's goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestHousekeeperPrunes runs the housekeeper on a short interval and waits for it to
// delete an old row of the activity log while keeping a recent one.
func TestHousekeeperPrunes(t *testing.T) {
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "hk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	svc := auth.NewService(auth.Deps{Store: store, Logger: log}, auth.Config{})

	now := time.Now().UTC()
	var oldID, newID int64
	err = store.InTx(t.Context(), func(tx auth.Tx) error {
		for _, at := range []time.Time{now.AddDate(0, 0, -400), now.Add(-time.Hour)} {
			a := auth.Activity{EventType: auth.EventLoginFailed, CreatedAt: at}
			if err := tx.AddActivity(t.Context(), &a); err != nil {
				return err
			}
			oldID, newID = newID, a.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	h := startHousekeeping(svc, config.Housekeeping{TokenRetention: 30 * 24 * time.Hour,
		ActivityRetention: 365 * 24 * time.Hour, Interval: 20 * time.Millisecond}, log)
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := store.ActivityByID(t.Context(), oldID)
		if errors.Is(err, auth.ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("old activity still there after 5s (last error %v); log:\n%s", err,
				logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.Stop()
	h.Stop() // a second Stop, as Close after Shutdown does, returns at once

	if _, err := store.ActivityByID(t.Context(), newID); err != nil {
		t.Errorf("recent activity: got %v, want it kept", err)
	}
	if !strings.Contains(logs.String(), "activity_deleted=1") {
		t.Errorf("log lacks the deletion:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("log has a warning:\n%s", logs.String())
	}
}

// TestHousekeeperDisabled: an interval of zero starts nothing, and stopping nothing works.
func TestHousekeeperDisabled(t *testing.T) {
	var logs syncBuffer
	h := startHousekeeping(nil, config.Housekeeping{}, slog.New(slog.NewTextHandler(&logs,
		nil)))
	if h != nil {
		t.Fatalf("got a housekeeper %v, want nil", h)
	}
	h.Stop()
	if !strings.Contains(logs.String(), "housekeeping disabled") {
		t.Errorf("log: got %q, want a note that housekeeping is off", logs.String())
	}
}

// TestRandomDuration keeps the jitter within its bounds.
func TestRandomDuration(t *testing.T) {
	for _, d := range []time.Duration{-time.Second, 0, 1, time.Minute} {
		for range 100 {
			got := randomDuration(d)
			if got < 0 || (d > 0 && got >= d) || (d <= 0 && got != 0) {
				t.Fatalf("randomDuration(%v): got %v, want in [0, %v)", d, got, max(d, 0))
			}
		}
	}
}
