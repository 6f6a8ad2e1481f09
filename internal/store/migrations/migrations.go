// Package migrations holds the database schema of the auth stores as goose migrations, one
// folder per dialect, embedded in the binary.
//
// Migration 2 is a Go migration shared by both dialects: it fills the login keys of users
// that existed before the keys did. The PostgreSQL set upgrades a legacy fin_intelli database
// in place; every migration there is written to keep existing rows and columns.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"path"
	"text/tabwriter"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Dialects that Up and Status accept.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// Up applies every pending migration of dialect to db. On PostgreSQL a session advisory lock
// keeps two processes from migrating at the same time.
func Up(ctx context.Context, db *sql.DB, dialect string) error {
	p, err := provider(db, dialect)
	if err != nil {
		return err
	}

	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations: up: %w", err)
	}
	return nil
}

// Status writes one line per migration of dialect to w: its version, whether it is applied
// (and when) or pending, and its source.
func Status(ctx context.Context, db *sql.DB, dialect string, w io.Writer) error {
	p, err := provider(db, dialect)
	if err != nil {
		return err
	}

	list, err := p.Status(ctx)
	if err != nil {
		return fmt.Errorf("migrations: status: %w", err)
	}

	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tSTATE\tAPPLIED AT\tSOURCE")
	for _, m := range list {
		applied := "-"
		if m.State == goose.StateApplied {
			applied = m.AppliedAt.UTC().Format(time.DateTime) + " UTC"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", m.Source.Version, m.State, applied, source(m.Source))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("migrations: status: %w", err)
	}
	return nil
}

// provider returns a goose provider of its own, so that tests migrating many databases at
// once share no global state.
func provider(db *sql.DB, dialect string) (*goose.Provider, error) {
	var gooseDialect goose.Dialect
	opts := []goose.ProviderOption{
		goose.WithDisableGlobalRegistry(true),
		goose.WithGoMigrations(loginKeysMigration(dialect)),
	}
	switch dialect {
	case Postgres:
		gooseDialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, fmt.Errorf("migrations: locker: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	case SQLite:
		gooseDialect = goose.DialectSQLite3
	default:
		return nil, fmt.Errorf("migrations: unknown dialect %q", dialect)
	}

	fsys, err := fs.Sub(files, dialect)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(gooseDialect, db, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// source names where a migration comes from, for Status.
func source(s *goose.Source) string {
	if s.Path != "" {
		return path.Base(s.Path)
	}
	if s.Version == loginKeysVersion {
		return "go: fill users.username_key and users.email_key"
	}
	return "go"
}
