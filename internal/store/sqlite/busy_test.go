package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/store/sqlite"
)

// holdWriteLock takes the write lock of the file at path from a connection of its own, as
// another process would, until the test ends.
func holdWriteLock(t *testing.T, path string) {
	t.Helper()
	other, err := sql.Open("sqlite", path+"?_txlock=immediate")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	hold, err := other.Begin()
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	t.Cleanup(func() {
		hold.Rollback()
		other.Close()
	})
}

// TestLockedByAnotherProcess checks that a transaction waiting for the write lock gives up
// when its context ends, as EUNAVAILABLE, and that reads go on meanwhile.
func TestLockedByAnotherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	holdWriteLock(t, path)

	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	called := false
	err = s.InTx(ctx, func(tx auth.Tx) error {
		called = true
		return nil
	})
	if !auth.IsCode(err, auth.EUNAVAILABLE) || called {
		t.Errorf("InTx: got %v, fn called %t; want EUNAVAILABLE without calling fn", err, called)
	}
	if waited := time.Since(start); waited > 2*time.Second {
		t.Errorf("InTx waited %v, want about the context's 200ms", waited)
	}

	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping while another connection writes: %v", err)
	}
}

func TestOpenRejectsNonFiles(t *testing.T) {
	dir := t.TempDir()
	paths := []string{"", ":memory:", filepath.Join(dir, "a.db?mode=ro"),
		filepath.Join(dir, "a.db#x")}
	for _, path := range paths {
		if s, err := sqlite.Open(t.Context(), path); err == nil {
			s.Close()
			t.Errorf("Open(%q): got nil error, want one", path)
		}
	}
}

func TestOpenUnwritableDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "dir", "auth.db")
	_, err := sqlite.Open(t.Context(), path)
	if !auth.IsCode(err, auth.EUNAVAILABLE) {
		t.Errorf("Open in a missing directory: got %v, want EUNAVAILABLE", err)
	}
}
