package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/finintelli/auth/internal/app"
	"github.com/finintelli/auth/internal/config"
)

// shutdownGrace is how long in-flight requests may take to finish after a stop signal.
const shutdownGrace = 10 * time.Second

func serve(ctx context.Context, args []string, env lookupFunc, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "finintelli serve: unexpected arguments %q\n", args)
		return 2
	}
	cfg, log, code := loadConfig(env, stderr)
	if cfg == nil {
		return code
	}

	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		log.Error("cannot start", "err", err)
		return 1
	}
	log.Info("listening", "addr", "http://"+a.Addr(), "env", cfg.Env, "store", storeName(cfg))

	done := make(chan error, 1)
	go func() { done <- a.Serve() }()
	select {
	case err = <-done:
		a.Close()
	case <-ctx.Done():
		log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		err = a.Shutdown(sctx)
		cancel()
	}
	if err != nil {
		log.Error("server stopped with an error", "err", err)
		return 1
	}
	return 0
}

// loadConfig reads and validates the configuration and makes the logger. On a problem it
// prints one line per problem and returns a nil config with exit code 2.
func loadConfig(env lookupFunc, stderr io.Writer) (*config.Config, *slog.Logger, int) {
	cfg, err := config.Load(env, ".env")
	var problems config.Problems
	if errors.As(err, &problems) {
		for _, p := range problems {
			fmt.Fprintln(stderr, "configuration error:", p)
		}
		return nil, nil, 2
	} else if err != nil {
		fmt.Fprintln(stderr, "configuration error:", err)
		return nil, nil, 2
	}

	log := newLogger(cfg, stderr)
	created, err := cfg.EnsureSecret()
	if err != nil {
		fmt.Fprintln(stderr, "configuration error: JWT_SECRET:", err)
		return nil, nil, 2
	}
	for _, w := range cfg.Warnings {
		log.Warn(w)
	}
	if created {
		log.Info("generated a development JWT secret and stored it in DATA_DIR",
			"data_dir", cfg.DataDir)
	}
	return cfg, log, 0
}

// newLogger logs text in development and JSON in production.
func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.Production() {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func storeName(cfg *config.Config) string {
	if cfg.DatabaseURL == "" {
		return "sqlite"
	}
	return "postgres"
}
