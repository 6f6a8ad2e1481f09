package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/finintelli/auth/internal/app"
	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/config"
	"github.com/finintelli/auth/internal/password"
)

// streams are the standard streams of a command.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

// command describes one subcommand for its flag set and help text.
type command struct {
	name  string // as typed, such as "user create"
	args  string // the positional arguments, such as "FILE"; "" for none
	nargs int    // how many positional arguments it takes
	about string // what it does, printed by --help
}

// flags returns a flag set for c whose usage is c's help text.
func (c command) flags() *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: finintelli %s [flags] %s\n\n%s\n", c.name, c.args,
			c.about)
		if hasFlags(fs) {
			fmt.Fprintln(fs.Output(), "\nflags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parse parses args with fs, allowing flags before and after the positional arguments. It
// returns the positional arguments, or false with the exit code when the command should
// stop: 0 after --help (printed to stdout), 2 after a usage error (printed to stderr).
func (c command) parse(fs *flag.FlagSet, args []string, s streams) ([]string, int, bool) {
	fs.SetOutput(io.Discard)
	var rest []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(s.out)
			fs.Usage()
			return nil, 0, false
		}
		if err != nil {
			return nil, c.usageError(fs, s, err.Error()), false
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}

	if len(rest) != c.nargs {
		msg := fmt.Sprintf("expects %d argument(s) (%s), got %d", c.nargs, c.args, len(rest))
		if c.nargs == 0 {
			msg = fmt.Sprintf("takes no arguments, got %q", rest)
		}
		return nil, c.usageError(fs, s, msg), false
	}
	return rest, 0, true
}

// usageError prints msg and the usage to stderr and returns exit code 2.
func (c command) usageError(fs *flag.FlagSet, s streams, msg string) int {
	fmt.Fprintf(s.err, "finintelli %s: %s\n", c.name, msg)
	fs.SetOutput(s.err)
	fs.Usage()
	return 2
}

// fail prints err for the operator and returns exit code 1. Messages of auth errors are
// written for people; other errors are shown whole, since the operator runs the server.
func (c command) fail(s streams, err error) int {
	fmt.Fprintf(s.err, "finintelli %s: %s\n", c.name, auth.ErrorMessage(err))
	return 1
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// operator is what the operator's commands work with: the configuration and a service on
// the configured store.
type operator struct {
	cfg   *config.Config
	svc   *auth.Service
	store auth.Store
}

// Close closes the store.
func (o *operator) Close() { _ = o.store.Close() }

// openOperator reads the configuration and opens the configured store (migrating it). On a
// problem it prints it and returns nil with the exit code.
func openOperator(ctx context.Context, env lookupFunc, s streams) (*operator, int) {
	cfg, log, code := loadConfig(env, s.err)
	if cfg == nil {
		return nil, code
	}
	// The commands report what they did on stdout; the log shows only what went wrong.
	if cfg.LogLevel < slog.LevelWarn {
		cfg.LogLevel = slog.LevelWarn
		log = newLogger(cfg, s.err)
	}

	store, err := app.OpenStore(ctx, cfg, true)
	if err != nil {
		fmt.Fprintln(s.err, "finintelli: cannot open the database:", err)
		return nil, 1
	}
	svc := auth.NewService(auth.Deps{
		Store:     store,
		Passwords: password.New(password.Config{Cost: cfg.BcryptCost}),
		Logger:    log,
	}, auth.Config{RefreshTTL: cfg.RefreshTTL})
	return &operator{cfg: cfg, svc: svc, store: store}, 0
}

// plural returns "1 thing" or "n things".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	if strings.HasSuffix(thing, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(thing, "y"))
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
