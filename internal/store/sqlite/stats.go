package sqlite

import (
	"database/sql"

	"github.com/finintelli/auth/internal/auth"
)

// PoolStats reports the figures of the write pool (one connection, so its waits are
// transactions queueing for the write lock) and of the read pool, for metrics.
func (s *Store) PoolStats() []auth.PoolStats {
	return []auth.PoolStats{
		poolStats("sqlite_write", s.write.Stats()),
		poolStats("sqlite_read", s.read.Stats()),
	}
}

func poolStats(name string, st sql.DBStats) auth.PoolStats {
	return auth.PoolStats{
		Pool:         name,
		Acquired:     st.InUse,
		Idle:         st.Idle,
		Total:        st.OpenConnections,
		Max:          st.MaxOpenConnections,
		Waits:        st.WaitCount,
		WaitDuration: st.WaitDuration,
	}
}
