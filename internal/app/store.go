package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/config"
	"github.com/finintelli/auth/internal/store/postgres"
	"github.com/finintelli/auth/internal/store/sqlite"
)

// migratingStore is a store that can also apply and list its migrations.
type migratingStore interface {
	auth.Store
	Migrate(ctx context.Context) error
	MigrationStatus(ctx context.Context, w io.Writer) error
}

// OpenStore opens PostgreSQL when a database is configured and the SQLite file in DATA_DIR
// otherwise. With migrate, pending migrations are applied first.
func OpenStore(ctx context.Context, cfg *config.Config, migrate bool) (auth.Store, error) {
	return openStore(ctx, cfg, migrate)
}

func openStore(ctx context.Context, cfg *config.Config, migrate bool) (migratingStore, error) {
	if cfg.DatabaseURL != "" {
		if migrate {
			return postgres.Open(ctx, cfg.DatabaseURL)
		}
		return postgres.OpenNoMigrate(ctx, cfg.DatabaseURL)
	}

	if err := os.MkdirAll(filepath.Dir(cfg.SQLitePath), 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	if migrate {
		return sqlite.Open(ctx, cfg.SQLitePath)
	}
	return sqlite.OpenNoMigrate(ctx, cfg.SQLitePath)
}

// MigrateUp applies the pending migrations.
func MigrateUp(ctx context.Context, cfg *config.Config) error {
	s, err := openStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	return s.Close()
}

// MigrateStatus writes which migrations are applied.
func MigrateStatus(ctx context.Context, cfg *config.Config, w io.Writer) error {
	s, err := openStore(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.MigrationStatus(ctx, w)
}
