// Command finintelli is a self-hosted authentication server.
//
//	finintelli [serve]          run the server (the default)
//	finintelli migrate up       apply the database migrations
//	finintelli migrate status   list the migrations and whether each is applied
//	finintelli user ...         create, import, promote and deactivate accounts
//	finintelli tokens prune     delete old refresh tokens and sessions
//	finintelli activity prune   delete old rows of the activity log
//	finintelli version          print the version
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `usage: finintelli [command]

commands:
  serve            run the server (default)
  migrate up       apply the database migrations
  migrate status   show which migrations are applied
  user ...         manage accounts: create, import, set-admin, activate, deactivate
  tokens prune     delete refresh tokens expired or revoked long ago
  activity prune   delete activity older than the retention
  version          print the version

Every command takes --help.

Configuration comes from the environment and an optional .env file; see README.md.
`

// defaultMemoryLimit is the Go runtime's soft memory limit when GOMEMLIMIT is not set: the
// garbage collector works harder as the heap nears it, which keeps a busy server small
// (the live heap is a few MiB; without a limit the heap may double between collections).
const defaultMemoryLimit = 40 << 20

func main() {
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.LookupEnv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// lookupFunc reads one setting, as os.LookupEnv does.
type lookupFunc func(key string) (string, bool)

// run executes one command and returns the process's exit code: 0 on success, 1 on a
// failure, 2 on a usage or configuration error. stdin is read only by commands that take
// input, such as the password of "user create".
func run(ctx context.Context, args []string, env lookupFunc, stdin io.Reader, stdout,
	stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}

	switch cmd {
	case "serve":
		return serve(ctx, args, env, stderr)
	case "migrate":
		return migrate(ctx, args, env, stdout, stderr)
	case "user":
		return userCmd(ctx, args, env, streams{stdin, stdout, stderr})
	case "tokens", "activity":
		return pruneCmd(ctx, cmd, args, env, streams{stdin, stdout, stderr})
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
