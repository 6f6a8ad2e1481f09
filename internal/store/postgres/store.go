// Package postgres implements auth.Store on PostgreSQL with a pgx connection pool.
//
// Transactions run at READ COMMITTED. Tx.RefreshTokenByHash reads with SELECT ... FOR
// UPDATE, so a second transaction rotating the same token waits for the first to end and
// then sees the committed row; together with the unique index on refresh_tokens.parent_id,
// a token chain cannot fork.
//
// Open also upgrades a legacy fin_intelli database in place (see package migrations).
package postgres

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/store/migrations"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// Pool defaults, used unless the URL sets pool_max_conns or connect_timeout.
const (
	DefaultMaxConns       = 10
	DefaultConnectTimeout = 5 * time.Second
)

// rollbackTimeout bounds the rollback of a transaction whose context has ended.
const rollbackTimeout = 5 * time.Second

// Store is an auth.Store on a PostgreSQL database. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
}

var _ auth.Store = (*Store)(nil)

// Open connects to the database at url (a postgres:// URL or a key=value string) and applies
// pending migrations. It fails with an EUNAVAILABLE error when the server cannot be reached.
func Open(ctx context.Context, url string) (*Store, error) {
	s, err := OpenNoMigrate(ctx, url)
	if err != nil {
		return nil, err
	}

	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// OpenNoMigrate creates the pool without connecting or migrating, for tools that inspect
// the schema first, such as "finintelli migrate status".
func OpenNoMigrate(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse url: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns
	}
	if !strings.Contains(url, "connect_timeout") {
		cfg.ConnConfig.ConnectTimeout = DefaultConnectTimeout
	}

	// Sessions run in UTC, so that now() in a legacy "timestamp without time zone" column
	// and the UTC times this package writes there agree; timestamptz values scan as UTC.
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	cfg.AfterConnect = func(_ context.Context, c *pgx.Conn) error {
		c.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
		return nil
	}

	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, mapErr("open", err)
	}
	return &Store{pool: pool}, nil
}

// Migrate applies pending migrations, holding a PostgreSQL advisory lock meanwhile so that
// two servers starting together do not both migrate.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.Ping(ctx); err != nil {
		return err
	}

	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	return mapErr("migrate", migrations.Up(ctx, db, migrations.Postgres))
}

// MigrationStatus writes the state of every migration to w.
func (s *Store) MigrationStatus(ctx context.Context, w io.Writer) error {
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	return mapErr("migration status", migrations.Status(ctx, db, migrations.Postgres, w))
}

// InTx runs fn in one READ COMMITTED transaction.
func (s *Store) InTx(ctx context.Context, fn func(tx auth.Tx) error) error {
	pgTx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return mapErr("begin", err)
	}
	defer rollback(ctx, pgTx)

	if err := fn(&tx{tx: pgTx}); err != nil {
		return err
	}
	return mapErr("commit", pgTx.Commit(ctx))
}

// rollback ends t if it is still open (after a commit it does nothing), even when ctx is
// already cancelled, but gives up after rollbackTimeout.
func rollback(ctx context.Context, t pgx.Tx) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
	defer cancel()
	_ = t.Rollback(ctx)
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return mapErr("ping", s.pool.Ping(ctx))
}

// Close closes the pool's connections, waiting for connections in use to be released.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// tx is the auth.Tx of a Store.
type tx struct {
	tx pgx.Tx
}
