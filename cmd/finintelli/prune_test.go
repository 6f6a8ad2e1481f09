package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// seedOld writes, for u, n rows of activity and n sessions with an expired refresh token
// each, all dated age ago, plus one recent row and one live session.
func seedOld(t *testing.T, s auth.Store, u auth.User, n int, age time.Duration) {
	t.Helper()
	now := time.Now().UTC()
	old := now.Add(-age)
	err := s.InTx(context.Background(), func(tx auth.Tx) error {
		for i := range n + 1 {
			at, expires := old, old
			if i == n {
				at, expires = now, now.Add(time.Hour)
			}
			a := auth.Activity{UserID: &u.ID, EventType: auth.EventRefresh, CreatedAt: at}
			if err := tx.AddActivity(context.Background(), &a); err != nil {
				return err
			}
			id := fmt.Sprintf("prune-%s-%d", u.Username, i)
			sess := auth.Session{ID: id, UserID: u.ID, CreatedAt: at, LastUsedAt: at}
			if err := tx.CreateSession(context.Background(), &sess); err != nil {
				return err
			}
			r := auth.RefreshToken{UserID: u.ID, SessionID: id, TokenHash: "h-" + id,
				ExpiresAt: expires, CreatedAt: at}
			if err := tx.CreateRefreshToken(context.Background(), &r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
}

func TestPruneCommands(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		mustRun(t, b.env, testPassword, "user", "create", "--username", "old_timer",
			"--email", "old@example.com")
		s := b.open(t)
		u, err := userNamed(t, s, "old_timer")
		if err != nil {
			t.Fatal(err)
		}
		seedOld(t, s, u, 3, 400*24*time.Hour)

		out := mustRun(t, b.env, "", "tokens", "prune")
		if want := "deleted 3 refresh tokens and 3 sessions"; !strings.Contains(out, want) {
			t.Errorf("tokens prune: got %q, want %q", out, want)
		}
		out = mustRun(t, b.env, "", "tokens", "prune")
		if want := "deleted 0 refresh tokens and 0 sessions"; !strings.Contains(out, want) {
			t.Errorf("tokens prune again: got %q, want %q", out, want)
		}

		// 400 days is within a retention of 500 days, and beyond the default 365.
		out = mustRun(t, b.env, "", "activity", "prune", "--days", "500")
		if want := "deleted 0 activity rows"; !strings.Contains(out, want) {
			t.Errorf("activity prune --days 500: got %q, want %q", out, want)
		}
		env := map[string]string{"ACTIVITY_RETENTION_DAYS": "450"}
		for k, v := range b.env {
			env[k] = v
		}
		out = mustRun(t, env, "", "activity", "prune")
		if want := "deleted 0 activity rows"; !strings.Contains(out, want) {
			t.Errorf("activity prune with 450 days: got %q, want %q", out, want)
		}
		out = mustRun(t, b.env, "", "activity", "prune")
		if want := "deleted 3 activity rows"; !strings.Contains(out, want) {
			t.Errorf("activity prune: got %q, want %q", out, want)
		}
		if list, _ := activityOf(t, s, u.ID); len(list) != 2 {
			t.Errorf("left: got %d rows, want the recent one and the user_created row",
				len(list))
		}
	})
}

// activityOf lists a user's activity.
func activityOf(t *testing.T, s auth.Store, userID int64) ([]auth.LoggedActivity, error) {
	t.Helper()
	var out []auth.LoggedActivity
	err := s.InTx(context.Background(), func(tx auth.Tx) (err error) {
		out, err = tx.ListActivity(context.Background(), auth.ActivityFilter{UserID: userID,
			Limit: 100})
		return err
	})
	return out, err
}

// TestConcurrentPruneCommands runs the prune commands several times at once on one
// database, as cron jobs on several hosts might: all succeed and together delete each row
// once.
func TestConcurrentPruneCommands(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		mustRun(t, b.env, testPassword, "user", "create", "--username", "crowd",
			"--email", "crowd@example.com")
		s := b.open(t)
		u, err := userNamed(t, s, "crowd")
		if err != nil {
			t.Fatal(err)
		}
		seedOld(t, s, u, 40, 400*24*time.Hour)

		const runs = 3
		var wg sync.WaitGroup
		outs := make([]string, 2*runs)
		codes := make([]int, 2*runs)
		for i := range 2 * runs {
			what := []string{"tokens", "activity"}[i%2]
			wg.Go(func() {
				codes[i], outs[i], _ = runIn(t, b.env, "", what, "prune")
			})
		}
		wg.Wait()

		tokens, activity := 0, 0
		for i := range 2 * runs {
			if codes[i] != 0 {
				t.Fatalf("run %d: exit %d, output %q", i, codes[i], outs[i])
			}
			// "deleted 1 refresh token and ..." or "deleted 2 refresh tokens and ...".
			var n int
			if _, err := fmt.Sscanf(outs[i], "deleted %d refresh token", &n); err == nil {
				tokens += n
			} else if _, err := fmt.Sscanf(outs[i], "deleted %d activity", &n); err == nil {
				activity += n
			} else {
				t.Fatalf("run %d: unexpected output %q", i, outs[i])
			}
		}
		if tokens != 40 || activity != 40 {
			t.Errorf("deleted %d tokens and %d activity rows in all, want 40 and 40",
				tokens, activity)
		}
	})
}
