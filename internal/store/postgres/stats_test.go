package postgres_test

import (
	"testing"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/store/postgres"
	"github.com/finintelli/auth/internal/testenv"
)

// TestPoolStats checks the figures of the pool outside and inside a transaction.
func TestPoolStats(t *testing.T) {
	s := openStore(t, testenv.Postgres(t))

	stats := s.PoolStats()
	if len(stats) != 1 || stats[0].Pool != "postgres" || stats[0].Max != postgres.DefaultMaxConns {
		t.Fatalf("got %+v, want one pool \"postgres\" of max %d", stats,
			postgres.DefaultMaxConns)
	}

	err := s.InTx(t.Context(), func(auth.Tx) error {
		got := s.PoolStats()[0]
		if got.Acquired != 1 || got.Total < 1 || got.Total > got.Max {
			t.Errorf("during a transaction: got %+v, want 1 acquired of 1..max open", got)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("InTx: %v", err)
	}
	if got := s.PoolStats()[0]; got.Acquired != 0 || got.Idle != got.Total {
		t.Errorf("after the transaction: got %+v, want none acquired, all idle", got)
	}
}
