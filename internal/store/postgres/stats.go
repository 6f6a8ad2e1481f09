package postgres

import "github.com/finintelli/auth/internal/auth"

// PoolStats reports the figures of the connection pool, for metrics.
func (s *Store) PoolStats() []auth.PoolStats {
	st := s.pool.Stat()
	return []auth.PoolStats{{
		Pool:         "postgres",
		Acquired:     int(st.AcquiredConns()),
		Idle:         int(st.IdleConns()),
		Total:        int(st.TotalConns()),
		Max:          int(st.MaxConns()),
		Waits:        st.EmptyAcquireCount(),
		WaitDuration: st.EmptyAcquireWaitTime(),
	}}
}
