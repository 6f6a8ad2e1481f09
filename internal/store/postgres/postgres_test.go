package postgres_test

import (
	"testing"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/store/postgres"
	"github.com/finintelli/auth/internal/store/storetest"
	"github.com/finintelli/auth/internal/testenv"
)

// openStore opens a migrated store on a new database of the test's own.
func openStore(t *testing.T, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) auth.Store { return openStore(t, testenv.Postgres(t)) })
}
