package main

import (
	"context"
	"fmt"
	"io"

	"github.com/finintelli/auth/internal/app"
)

func migrate(ctx context.Context, args []string, env lookupFunc, stdout,
	stderr io.Writer) int {
	if len(args) != 1 || (args[0] != "up" && args[0] != "status") {
		fmt.Fprintln(stderr, "usage: finintelli migrate up|status")
		return 2
	}
	cfg, log, code := loadConfig(env, stderr)
	if cfg == nil {
		return code
	}

	var err error
	if args[0] == "up" {
		err = app.MigrateUp(ctx, cfg)
	} else {
		err = app.MigrateStatus(ctx, cfg, stdout)
	}
	if err != nil {
		log.Error("migrate "+args[0]+" failed", "err", err)
		return 1
	}
	if args[0] == "up" {
		fmt.Fprintln(stdout, "migrations applied")
	}
	return 0
}
