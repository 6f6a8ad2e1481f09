package migrations_test

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/finintelli/auth/internal/store/migrations"
	_ "modernc.org/sqlite"
)

func openSQLite(t *testing.T) *sql.DB {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "m.db") + "?_pragma=foreign_keys(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// wantVersions returns how many migrations there are: the SQL files of the SQLite set and
// the Go migration that fills the login keys.
func wantVersions(t *testing.T) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("sqlite", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("sqlite migrations: %v (%d files)", err, len(files))
	}
	return len(files) + 1
}

func TestUpTwiceIsNoOp(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)

	for i := range 2 {
		if err := migrations.Up(ctx, db, migrations.SQLite); err != nil {
			t.Fatalf("up #%d: %v", i+1, err)
		}
	}

	var n int
	err := db.QueryRowContext(ctx,
		"SELECT COUNT(*) FROM goose_db_version WHERE version_id > 0").Scan(&n)
	if err != nil {
		t.Fatalf("count versions: %v", err)
	}
	if want := wantVersions(t); n != want {
		t.Errorf("got %d applied versions, want %d", n, want)
	}
}

func TestStatus(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)

	var before bytes.Buffer
	if err := migrations.Status(ctx, db, migrations.SQLite, &before); err != nil {
		t.Fatalf("status: %v", err)
	}
	want := wantVersions(t)
	if got := strings.Count(before.String(), "pending"); got != want {
		t.Errorf("before up: got %d pending lines, want %d:\n%s", got, want, before.String())
	}

	if err := migrations.Up(ctx, db, migrations.SQLite); err != nil {
		t.Fatalf("up: %v", err)
	}
	var after bytes.Buffer
	if err := migrations.Status(ctx, db, migrations.SQLite, &after); err != nil {
		t.Fatalf("status: %v", err)
	}
	out := after.String()
	for _, want := range []string{"00001_schema.sql", "go: fill", "00003_unique_login_keys.sql"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	if got := strings.Count(out, "applied"); got != want {
		t.Errorf("after up: got %d applied lines, want %d:\n%s", got, want, out)
	}
}

func TestUnknownDialect(t *testing.T) {
	db := openSQLite(t)
	for _, dialect := range []string{"", "mysql", "SQLITE"} {
		if err := migrations.Up(context.Background(), db, dialect); err == nil {
			t.Errorf("Up(%q): got nil error, want one", dialect)
		}
	}
}
