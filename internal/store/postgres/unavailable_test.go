package postgres_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/store/postgres"
	"github.com/finintelli/auth/internal/testenv"
)

// wantUnavailable fails the test unless err is an EUNAVAILABLE error whose message for
// people is the generic one.
func wantUnavailable(t *testing.T, what string, err error) {
	t.Helper()
	if !auth.IsCode(err, auth.EUNAVAILABLE) {
		t.Errorf("%s: got %v (code %q), want code %q", what, err, auth.ErrorCode(err),
			auth.EUNAVAILABLE)
	}
}

// callAll runs Ping, InTx and SessionWithUser on s and checks that each is unavailable.
func callAll(t *testing.T, s *postgres.Store) {
	t.Helper()
	wantUnavailable(t, "Ping", s.Ping(t.Context()))

	err := s.InTx(t.Context(), func(tx auth.Tx) error {
		_, err := tx.UserByID(t.Context(), 1)
		return err
	})
	wantUnavailable(t, "InTx", err)

	_, _, err = s.SessionWithUser(t.Context(), "any")
	wantUnavailable(t, "SessionWithUser", err)
}

func TestClosedPort(t *testing.T) {
	const dead = "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"

	_, err := postgres.Open(t.Context(), dead)
	wantUnavailable(t, "Open", err)

	s, err := postgres.OpenNoMigrate(t.Context(), dead)
	if err != nil {
		t.Fatalf("OpenNoMigrate: %v", err)
	}
	defer s.Close()
	callAll(t, s)
}

// TestServerGone cuts a working store off its database: its connections are terminated
// (SQLSTATE 57P01) and new ones refused, once between transactions and once inside one.
func TestServerGone(t *testing.T) {
	dbURL := testenv.Postgres(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatalf("parse url: %v", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	s := openStore(t, dbURL)
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping before: %v", err)
	}

	cut := func() {
		adminExec(t, testenv.DatabaseURL(),
			"ALTER DATABASE "+name+" WITH ALLOW_CONNECTIONS false")
		adminExec(t, testenv.DatabaseURL(), `SELECT pg_terminate_backend(pid)
			FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, name)
	}
	restore := func() {
		adminExec(t, testenv.DatabaseURL(),
			"ALTER DATABASE "+name+" WITH ALLOW_CONNECTIONS true")
	}

	t.Run("inside a transaction", func(t *testing.T) {
		err := s.InTx(t.Context(), func(tx auth.Tx) error {
			if _, err := tx.UserByLogin(t.Context(), "x"); !auth.IsCode(err, auth.ENOTFOUND) {
				t.Fatalf("UserByLogin before the cut: got %v, want ENOTFOUND", err)
			}
			cut()
			_, err := tx.UserByLogin(t.Context(), "x")
			return err
		})
		wantUnavailable(t, "InTx", err)
		restore()
	})

	t.Run("between transactions", func(t *testing.T) {
		if err := s.Ping(t.Context()); err != nil {
			t.Fatalf("Ping after restore: %v", err)
		}
		cut()
		callAll(t, s)
		restore()
		if err := s.Ping(t.Context()); err != nil {
			t.Errorf("Ping after the database is back: %v", err)
		}
	})
}

// TestPoolExhausted checks that waiting in vain for a pooled connection, until the caller's
// deadline, is EUNAVAILABLE.
func TestPoolExhausted(t *testing.T) {
	s := openStore(t, testenv.Postgres(t)+"&pool_max_conns=1")

	err := s.InTx(t.Context(), func(auth.Tx) error {
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		wantUnavailable(t, "Ping with the only connection taken", s.Ping(ctx))
		return nil
	})
	if err != nil {
		t.Errorf("InTx holding the connection: %v", err)
	}
}
