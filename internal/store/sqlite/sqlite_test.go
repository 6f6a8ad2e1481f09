package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/store/sqlite"
	"github.com/finintelli/auth/internal/store/storetest"
)

// openStore opens a migrated store on a new file in the test's temporary directory.
func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) auth.Store { return openStore(t) })
}
