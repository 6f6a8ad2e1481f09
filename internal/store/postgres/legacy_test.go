package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/store/postgres"
	"github.com/finintelli/auth/internal/testenv"
	"github.com/jackc/pgx/v5"
)

// legacySchema is the schema of a fin_intelli database from before this service, without a
// goose version table.
const legacySchema = `
CREATE TABLE users (
    id serial PRIMARY KEY, username varchar UNIQUE, email varchar UNIQUE,
    hashed_password varchar, is_active bool, is_admin bool);
CREATE TABLE refresh_tokens (
    id serial PRIMARY KEY, user_id int REFERENCES users (id) ON DELETE CASCADE,
    token_hash varchar UNIQUE, device_info varchar, ip_address varchar,
    expires_at timestamp, is_revoked bool, created_at timestamp);
CREATE TABLE user_activity_logs (
    id serial PRIMARY KEY, user_id int, event_type varchar, ip_address varchar,
    device_info varchar, user_agent varchar, geolocation_city varchar,
    geolocation_country varchar, login_success bool, risk_score float, extra_info json,
    created_at timestamp);
`

// sha256Hex is a legacy password hash: a bare SHA-256 digest in hex.
const sha256Hex = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"

// legacyRows fills the legacy schema. User 3 has NULL flags; the second activity row names
// a user deleted long ago.
const legacyRows = `
INSERT INTO users (username, email, hashed_password, is_active, is_admin) VALUES
    ('MixedCase', 'Mixed.Case@Example.COM', '` + sha256Hex + `', true, false),
    ('bcrypt_admin', 'admin@example.com', '$2b$12$' || repeat('a', 53), true, true),
    ('nulls', 'nulls@example.com', NULL, NULL, NULL);
INSERT INTO refresh_tokens (user_id, token_hash, device_info, ip_address, expires_at,
    is_revoked, created_at)
VALUES (1, 'legacy-hash', 'Chrome on Windows', '198.51.100.4', '2030-01-01 00:00:00', false,
    '2024-06-01 12:00:00');
INSERT INTO user_activity_logs (user_id, event_type, ip_address, device_info, user_agent,
    geolocation_city, geolocation_country, login_success, risk_score, extra_info, created_at)
VALUES
    (1, 'login_success', '198.51.100.4', 'Chrome on Windows', 'Mozilla/5.0', 'Berlin', 'DE',
        true, 0.2, '{"reason": "ok", "attempt": 2}', '2024-06-01 12:00:00'),
    (999, 'login_failed', NULL, NULL, NULL, NULL, NULL, false, NULL, NULL, NULL);
`

// adminExec runs sql on the database at url with a connection of its own.
func adminExec(t *testing.T, url, sql string, args ...any) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())

	if _, err := conn.Exec(t.Context(), sql, args...); err != nil {
		t.Fatalf("exec: %v", err)
	}
}

// queryInt returns the one number sql selects.
func queryInt(t *testing.T, url, sql string) int64 {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())

	var n int64
	if err := conn.QueryRow(t.Context(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestLegacyUpgrade(t *testing.T) {
	url := testenv.Postgres(t)
	adminExec(t, url, legacySchema)
	adminExec(t, url, legacyRows)

	s := openStore(t, url)

	t.Run("rows kept", func(t *testing.T) {
		counts := map[string]int64{"users": 3, "refresh_tokens": 1, "user_activity_logs": 2}
		for table, want := range counts {
			if got := queryInt(t, url, "SELECT COUNT(*) FROM "+table); got != want {
				t.Errorf("%s: got %d rows, want %d", table, got, want)
			}
		}
	})

	t.Run("legacy columns kept", func(t *testing.T) {
		columns := []struct{ table, column, typ string }{
			{"users", "username", "character varying"},
			{"users", "hashed_password", "character varying"},
			{"refresh_tokens", "expires_at", "timestamp without time zone"},
			{"user_activity_logs", "extra_info", "json"},
			{"user_activity_logs", "risk_score", "double precision"},
		}
		for _, c := range columns {
			got := queryInt(t, url, "SELECT COUNT(*) FROM information_schema.columns "+
				"WHERE table_name = '"+c.table+"' AND column_name = '"+c.column+
				"' AND data_type = '"+c.typ+"'")
			if got != 1 {
				t.Errorf("%s.%s: got %d columns of type %s, want 1", c.table, c.column, got,
					c.typ)
			}
		}
	})

	t.Run("keys backfilled", func(t *testing.T) {
		got := queryInt(t, url, `SELECT COUNT(*) FROM users
			WHERE username_key IS NULL OR email_key IS NULL`)
		if got != 0 {
			t.Errorf("got %d users without keys, want 0", got)
		}
		for _, login := range []string{"MIXEDCASE", "mixed.case@example.com"} {
			var u auth.User
			err := s.InTx(t.Context(), func(tx auth.Tx) (err error) {
				u, err = tx.UserByLogin(t.Context(), auth.LoginKey(login))
				return err
			})
			if err != nil {
				t.Fatalf("UserByLogin(%q): %v", login, err)
			}
			if u.ID != 1 || u.Username != "MixedCase" || u.HashedPassword != sha256Hex ||
				!u.IsActive || u.IsAdmin {
				t.Errorf("UserByLogin(%q): got %+v, want legacy user 1", login, u)
			}
		}
	})

	t.Run("NULL columns read as zero", func(t *testing.T) {
		var u auth.User
		err := s.InTx(t.Context(), func(tx auth.Tx) (err error) {
			u, err = tx.UserByLogin(t.Context(), auth.UsernameKey("nulls"))
			return err
		})
		if err != nil {
			t.Fatalf("UserByLogin: %v", err)
		}
		if u.HashedPassword != "" || u.IsActive || u.IsAdmin {
			t.Errorf("got %+v, want empty hash, inactive, not admin", u)
		}
		a, err := s.ActivityByID(t.Context(), 2)
		if err != nil {
			t.Fatalf("ActivityByID: %v", err)
		}
		if len(a.ExtraInfo) != 0 || a.RiskScore != 0 || a.UserID == nil || *a.UserID != 999 {
			t.Errorf("got %+v, want an empty row of user 999", a)
		}
	})

	t.Run("legacy token", func(t *testing.T) {
		var r auth.RefreshToken
		err := s.InTx(t.Context(), func(tx auth.Tx) (err error) {
			r, err = tx.RefreshTokenByHash(t.Context(), "legacy-hash")
			return err
		})
		if err != nil {
			t.Fatalf("RefreshTokenByHash: %v", err)
		}
		want := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		if r.SessionID != "" || r.ParentID != nil || !r.ExpiresAt.Equal(want) || r.UserID != 1 {
			t.Errorf("got %+v, want user 1's token without session expiring %v", r, want)
		}
	})

	t.Run("legacy json extra info", func(t *testing.T) {
		a, err := s.ActivityByID(t.Context(), 1)
		if err != nil {
			t.Fatalf("ActivityByID: %v", err)
		}
		want := map[string]any{"reason": "ok", "attempt": float64(2)}
		if !reflect.DeepEqual(a.ExtraInfo, want) {
			t.Errorf("got %#v, want %#v", a.ExtraInfo, want)
		}
	})

	t.Run("new rows", func(t *testing.T) { testNewRows(t, s) })

	t.Run("migrate again is a no-op", func(t *testing.T) {
		before := queryInt(t, url, "SELECT COUNT(*) FROM goose_db_version")
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		again := openStore(t, url)
		if err := again.Ping(t.Context()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
		if got := queryInt(t, url, "SELECT COUNT(*) FROM goose_db_version"); got != before {
			t.Errorf("got %d version rows, want %d", got, before)
		}
		if got := queryInt(t, url, "SELECT COUNT(*) FROM users"); got != 4 {
			t.Errorf("got %d users, want 4", got)
		}

		var status bytes.Buffer
		if err := s.MigrationStatus(t.Context(), &status); err != nil {
			t.Fatalf("MigrationStatus: %v", err)
		}
		// goose_db_version holds a row for version 0 besides one per migration.
		got := strings.Count(status.String(), "applied")
		if int64(got) != before-1 || strings.Contains(status.String(), "pending") {
			t.Errorf("got %d applied migrations, want all %d:\n%s", got, before-1,
				status.String())
		}
	})
}

// testNewRows writes every kind of row into an upgraded legacy database.
func testNewRows(t *testing.T, s *postgres.Store) {
	u := auth.User{Username: "Newbie", Email: "newbie@example.com", HashedPassword: "$2a$12$x",
		IsActive: true}
	a := auth.Activity{EventType: auth.EventRegister, ExtraInfo: map[string]any{"k": "v"}}
	err := s.InTx(t.Context(), func(tx auth.Tx) error {
		if err := tx.CreateUser(t.Context(), &u); err != nil {
			return err
		}
		sess := auth.Session{ID: "after-upgrade", UserID: u.ID}
		if err := tx.CreateSession(t.Context(), &sess); err != nil {
			return err
		}
		// A child of the legacy token: parent_id (bigint) refers to a serial id.
		legacyID := int64(1)
		r := auth.RefreshToken{UserID: 1, SessionID: sess.ID, ParentID: &legacyID,
			TokenHash: "new-hash", ExpiresAt: time.Now().Add(time.Hour)}
		if err := tx.CreateRefreshToken(t.Context(), &r); err != nil {
			return err
		}
		a.UserID = &u.ID
		return tx.AddActivity(t.Context(), &a)
	})
	if err != nil {
		t.Fatalf("InTx: %v", err)
	}

	got, err := s.ActivityByID(t.Context(), a.ID)
	if err != nil {
		t.Fatalf("ActivityByID: %v", err)
	}
	if !reflect.DeepEqual(got.ExtraInfo, a.ExtraInfo) {
		t.Errorf("extra info in the json column: got %#v, want %#v", got.ExtraInfo, a.ExtraInfo)
	}

	// The legacy unique constraint on the raw column and the new one on the key both say
	// the same to people.
	for _, name := range []string{"MixedCase", "mixedcase"} {
		dup := auth.User{Username: name, Email: name + "-other@example.com"}
		err = s.InTx(t.Context(), func(tx auth.Tx) error {
			return tx.CreateUser(t.Context(), &dup)
		})
		var e *auth.Error
		if !auth.IsCode(err, auth.ECONFLICT) || !errors.As(err, &e) ||
			e.Message != "Username already registered" {
			t.Errorf("legacy username typed as %q: got %v, want ECONFLICT", name, err)
		}
	}
}

func TestLegacyDuplicateKeys(t *testing.T) {
	url := testenv.Postgres(t)
	adminExec(t, url, legacySchema)
	adminExec(t, url, `INSERT INTO users (username, email, hashed_password, is_active, is_admin)
		VALUES ('Alice', 'a1@example.com', 'x', true, false),
		       ('alice', 'a2@example.com', 'y', true, false)`)

	_, err := postgres.Open(t.Context(), url)
	if err == nil || !strings.Contains(err.Error(), "users 1 and 2 have usernames") {
		t.Fatalf("got %v, want an error naming users 1 and 2", err)
	}
	if got := queryInt(t, url, "SELECT COUNT(*) FROM users WHERE username_key IS NULL"); got != 2 {
		t.Errorf("got %d users without keys after the failed migration, want 2", got)
	}
}
