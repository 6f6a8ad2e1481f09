// Command finintelli is a self-hosted authentication server.
//
//	finintelli [serve]          run the server (the default)
//	finintelli migrate up       apply the database migrations
//	finintelli migrate status   list the migrations and whether each is applied
//	finintelli version          print the version
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `usage: finintelli [command]

commands:
  serve            run the server (default)
  migrate up       apply the database migrations
  migrate status   show which migrations are applied
  version          print the version

Configuration comes from the environment and an optional .env file; see README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// lookupFunc reads one setting, as os.LookupEnv does.
type lookupFunc func(key string) (string, bool)

// run executes one command and returns the process's exit code: 0 on success, 1 on a
// failure, 2 on a usage or configuration error.
func run(ctx context.Context, args []string, env lookupFunc, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}

	switch cmd {
	case "serve":
		return serve(ctx, args, env, stderr)
	case "migrate":
		return migrate(ctx, args, env, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "finintelli", version)
		return 0
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "finintelli: unknown command %q\n\n%s", cmd, usage)
	return 2
}
