package failure_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/config"
	"github.com/finintelli/auth/internal/testenv"
)

// TestKilledMidLoad: the server process is killed with SIGKILL while clients refresh their
// sessions and log in, and is started again on the same database. Every session issued
// before the kill still refreshes afterwards (a rotation that was committed while its
// answer was lost is recovered within the reuse grace window), and the database holds no
// half-written rotation. Only the process the test started is killed.
func TestKilledMidLoad(t *testing.T) {
	t.Parallel()
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		dbURL := testenv.Postgres(t)
		env := settings(map[string]string{"DATABASE_URL": dbURL})
		killAndRestart(t, env, func() *sql.DB { return openPostgres(t, ownConnection(t, dbURL)) })
	})
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := filepath.Join(dir, config.SQLiteFile)
		env := settings(map[string]string{"DATA_DIR": dir})
		killAndRestart(t, env, func() *sql.DB { return openSQLite(t, path) })
		checkIntegrity(t, openSQLite(t, path))
	})
}

// killAndRestart runs a fleet against a server started with env, kills the server, starts
// it again and checks every session and the token chains. open opens the server's database
// once the server has created it.
func killAndRestart(t *testing.T, env map[string]string, open func() *sql.DB) {
	first := launchHealthy(t, "first", env)
	f := newFleet(t, first.url, 4)
	f.logins, f.db = true, open()
	f.start()
	f.awaitRefreshes(f.refreshed(), 3)

	first.kill()
	waitFor(t, "requests failing after the kill", func() bool {
		return f.count("transport error") >= len(f.workers)
	})
	f.halt()

	second := launchHealthy(t, "second", env)
	f.moveTo(second.url)
	f.checkAlive()
	n := checkChains(t, f.db)
	f.report()
	t.Logf("%d refresh tokens checked", n)
}

// checkIntegrity fails the test unless SQLite finds its file sound.
func checkIntegrity(t *testing.T, db *sql.DB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		t.Fatalf("integrity check: %v", err)
	}
	if res != "ok" {
		t.Errorf("integrity check: got %q, want ok", res)
	}
}
