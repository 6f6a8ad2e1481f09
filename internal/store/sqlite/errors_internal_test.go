package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/finintelli/auth/internal/auth"
)

// TestMapErrBusy maps a real SQLITE_BUSY, from a connection that does not wait for locks.
func TestMapErrBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	holder, err := sql.Open("sqlite", path+"?_txlock=immediate")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer holder.Close()
	hold, err := holder.Begin()
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	defer hold.Rollback()

	impatient, err := sql.Open("sqlite", path+"?_txlock=immediate&_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer impatient.Close()
	_, err = impatient.Begin()
	if err == nil {
		t.Fatalf("second BEGIN IMMEDIATE: got nil error, want SQLITE_BUSY")
	}

	mapped := mapErr("begin", err)
	if !auth.IsCode(mapped, auth.EUNAVAILABLE) {
		t.Errorf("got %v, want EUNAVAILABLE", mapped)
	}
}
