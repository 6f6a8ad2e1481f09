package main

import (
	"context"
	"fmt"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// pruneCmd runs "finintelli tokens prune" and "finintelli activity prune".
func pruneCmd(ctx context.Context, what string, args []string, env lookupFunc,
	s streams) int {
	usage := fmt.Sprintf("usage: finintelli %s prune [--days N]\n", what)
	if len(args) == 0 || args[0] != "prune" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
			fmt.Fprint(s.out, usage)
			return 0
		}
		fmt.Fprint(s.err, usage)
		return 2
	}

	c := command{name: what + " prune", about: pruneAbout[what]}
	fs := c.flags()
	days := fs.Int("days", 0, "keep this many days instead of the configured retention")
	if _, code, ok := c.parse(fs, args[1:], s); !ok {
		return code
	}
	if *days < 0 || *days > 36500 {
		return c.usageError(fs, s, "--days must be between 1 and 36500")
	}

	op, code := openOperator(ctx, env, s)
	if op == nil {
		return code
	}
	defer op.Close()

	retention := op.cfg.Housekeeping.TokenRetention
	if what == "activity" {
		retention = op.cfg.Housekeeping.ActivityRetention
	}
	if *days > 0 {
		retention = time.Duration(*days) * 24 * time.Hour
	}

	var p auth.Pruned
	var err error
	if what == "tokens" {
		p, err = op.svc.PruneTokens(ctx, retention)
	} else {
		p, err = op.svc.PruneActivity(ctx, retention)
	}
	if err != nil {
		return c.fail(s, err)
	}
	if what == "tokens" {
		fmt.Fprintf(s.out, "deleted %s and %s\n", plural(p.Tokens, "refresh token"),
			plural(p.Sessions, "session"))
	} else {
		fmt.Fprintf(s.out, "deleted %s\n", plural(p.Activity, "activity row"))
	}
	return 0
}

// pruneAbout says what each prune command does.
var pruneAbout = map[string]string{
	"tokens": "Deletes refresh tokens that expired, or whose session was revoked, more than " +
		"TOKEN_RETENTION_DAYS (default 30) ago, then the sessions left without tokens. " +
		"Safe to run while servers run, and from several places at once.",
	"activity": "Deletes rows of the activity log older than ACTIVITY_RETENTION_DAYS " +
		"(default 365). Safe to run while servers run, and from several places at once.",
}
