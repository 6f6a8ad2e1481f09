// Package sqlite implements auth.Store on a SQLite file with the pure-Go modernc.org/sqlite
// driver, so the server needs no cgo and no database service.
//
// A Store holds two pools on the same file. The write pool has exactly one connection and
// starts every transaction with BEGIN IMMEDIATE: transactions of this process queue for that
// connection instead of failing with SQLITE_BUSY, and the write lock, taken at BEGIN, keeps a
// token read by Tx.RefreshTokenByHash from changing until the transaction ends, also against
// other processes on the same file (they wait up to the busy timeout). The read pool has a
// few query-only connections for reads outside transactions (SessionWithUser, Ping); in WAL
// mode they read the last committed state without waiting for the writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/store/migrations"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// BusyTimeout is how long, in milliseconds, a connection waits for a lock held by another
// process before it gives up with SQLITE_BUSY (reported as auth.EUNAVAILABLE).
const BusyTimeout = 10_000

// readConns is the size of the read pool.
const readConns = 4

// Store is an auth.Store on one SQLite file. It is safe for concurrent use.
type Store struct {
	write *sql.DB // one connection; every transaction is BEGIN IMMEDIATE
	read  *sql.DB // query-only connections for reads outside transactions
}

var _ auth.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path and applies pending migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	s, err := OpenNoMigrate(ctx, path)
	if err != nil {
		return nil, err
	}

	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.checkWritable(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// checkWritable writes the schema's user version back unchanged. SQLite silently opens a
// file it may not write as read-only, and an up-to-date schema needs no write to migrate,
// so without this a read-only file would be found only by the first login.
func (s *Store) checkWritable(ctx context.Context) error {
	var v int64
	if err := s.write.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return mapErr("check the database is writable", err)
	}
	_, err := s.write.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v))
	if err != nil {
		return fmt.Errorf("sqlite: the database file cannot be written: %w", err)
	}
	return nil
}

// OpenNoMigrate opens (creating if needed) the database file at path without migrating it,
// for tools that inspect the schema first, such as "finintelli migrate status".
func OpenNoMigrate(ctx context.Context, path string) (*Store, error) {
	if path == "" || path == ":memory:" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite: open: %q is not a database file path", path)
	}

	// synchronous=FULL: a committed revocation or rotation survives a power cut, at the cost
	// of an fsync per commit, which an auth server can afford.
	write, err := openPool(ctx, path, 1, url.Values{
		"_pragma": {fmt.Sprintf("busy_timeout(%d)", BusyTimeout), "journal_mode(WAL)",
			"foreign_keys(1)", "synchronous(FULL)"},
		"_txlock": {"immediate"},
	})
	if err != nil {
		return nil, err
	}

	read, err := openPool(ctx, path, readConns, url.Values{
		"_pragma": {fmt.Sprintf("busy_timeout(%d)", BusyTimeout), "foreign_keys(1)",
			"query_only(1)"},
	})
	if err != nil {
		write.Close()
		return nil, err
	}
	return &Store{write: write, read: read}, nil
}

// openPool opens a pool of at most n connections on path and checks that it works.
func openPool(ctx context.Context, path string, n int, params url.Values) (*sql.DB, error) {
	db, err := sql.Open("sqlite", path+"?"+params.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)

	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, mapErr("open", err)
	}
	return db, nil
}

// Migrate applies pending migrations.
func (s *Store) Migrate(ctx context.Context) error {
	return mapErr("migrate", migrations.Up(ctx, s.write, migrations.SQLite))
}

// MigrationStatus writes the state of every migration to w.
func (s *Store) MigrationStatus(ctx context.Context, w io.Writer) error {
	return mapErr("migration status", migrations.Status(ctx, s.write, migrations.SQLite, w))
}

// InTx runs fn in one BEGIN IMMEDIATE transaction on the write connection. fn must not call
// other methods of s that write, or it would wait for its own connection.
func (s *Store) InTx(ctx context.Context, fn func(tx auth.Tx) error) error {
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return mapErr("begin", err)
	}
	defer sqlTx.Rollback()

	if err := fn(&tx{tx: sqlTx}); err != nil {
		return err
	}
	return mapErr("commit", sqlTx.Commit())
}

// Ping checks that the database file can be read.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return mapErr("ping", s.read.QueryRowContext(ctx, "SELECT 1").Scan(&one))
}

// Close closes both pools.
func (s *Store) Close() error {
	return errors.Join(s.read.Close(), s.write.Close())
}

// tx is the auth.Tx of a Store.
type tx struct {
	tx *sql.Tx
}
