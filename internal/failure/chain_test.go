package failure_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/finintelli/auth/internal/token"
)

// refresher derives the stored hash and the successor of a refresh token as the servers of
// this package do, so that tests can find the rows of the tokens their clients hold.
var refresher = token.NewRefresher([]byte(secret))

// openPostgres opens the test database directly, not through any proxy of the test.
func openPostgres(t *testing.T, url string) *sql.DB {
	t.Helper()
	return openDB(t, "pgx", url)
}

// openSQLite opens a server's SQLite file for reading only, next to the running server.
func openSQLite(t *testing.T, path string) *sql.DB {
	t.Helper()
	return openDB(t, "sqlite", path+"?_pragma=query_only(1)&_pragma=busy_timeout(10000)")
}

func openDB(t *testing.T, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("open %s database: %v", driver, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// chainRules are queries that list the refresh tokens or sessions breaking one rule of the
// token chains. A rotation marks the presented token replaced and inserts its one child in
// one transaction, so any row these find is a half-written rotation or a fork. The queries
// read the same on PostgreSQL and SQLite.
var chainRules = []struct{ rule, query string }{
	{"a replaced token has exactly one child", `
		SELECT p.id FROM refresh_tokens p
		WHERE p.replaced_at IS NOT NULL
		  AND (SELECT COUNT(*) FROM refresh_tokens c WHERE c.parent_id = p.id) <> 1`},
	{"a token with a child is marked replaced", `
		SELECT c.parent_id FROM refresh_tokens c JOIN refresh_tokens p ON p.id = c.parent_id
		WHERE p.replaced_at IS NULL`},
	{"no token has two children", `
		SELECT parent_id FROM refresh_tokens WHERE parent_id IS NOT NULL
		GROUP BY parent_id HAVING COUNT(*) > 1`},
	{"a child belongs to its parent's session", `
		SELECT c.id FROM refresh_tokens c JOIN refresh_tokens p ON p.id = c.parent_id
		WHERE c.session_id <> p.session_id`},
	{"every token belongs to a session", `
		SELECT id FROM refresh_tokens WHERE session_id IS NULL`},
	{"a live session has exactly one usable head token", `
		SELECT s.id FROM sessions s
		WHERE s.revoked_at IS NULL
		  AND (SELECT COUNT(*) FROM refresh_tokens t WHERE t.session_id = s.id
		       AND t.replaced_at IS NULL AND NOT t.is_revoked) <> 1`},
}

// checkChains fails the test for every row that breaks one of chainRules, and returns how
// many refresh tokens the database holds.
func checkChains(t *testing.T, db *sql.DB) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	for _, r := range chainRules {
		var bad []string
		rows, err := db.QueryContext(ctx, r.query)
		if err != nil {
			t.Fatalf("check %q: %v", r.rule, err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatalf("check %q: %v", r.rule, err)
			}
			bad = append(bad, id)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			t.Fatalf("check %q: %v", r.rule, err)
		}
		if len(bad) > 0 {
			t.Errorf("%s: broken for rows %v", r.rule, bad)
		}
	}

	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM refresh_tokens").Scan(&n); err != nil {
		t.Fatalf("count refresh tokens: %v", err)
	}
	return n
}

// rotation tells what the database holds about the refresh token raw: whether it was
// rotated, and the hash of its child ("" when it has none).
func rotation(t *testing.T, db *sql.DB, raw string) (replaced bool, child string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var childHash sql.NullString
	err := db.QueryRowContext(ctx, `
		SELECT p.replaced_at IS NOT NULL,
		       (SELECT c.token_hash FROM refresh_tokens c WHERE c.parent_id = p.id)
		FROM refresh_tokens p WHERE p.token_hash = $1`, refresher.Hash(raw)).
		Scan(&replaced, &childHash)
	if err != nil {
		t.Fatalf("look up a refresh token: %v", err)
	}
	return replaced, childHash.String
}
