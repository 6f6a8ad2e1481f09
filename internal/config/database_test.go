package config_test

import (
	"net/url"
	"path/filepath"
	"testing"
)

func TestDatabase(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		wantURL    string
		wantSQLite string // relative to DATA_DIR when it starts with "@/"
	}{
		{"default sqlite", nil, "", "@/finintelli.db"},
		{"postgres url", map[string]string{"DATABASE_URL": "postgres://u:p@db:5432/app"},
			"postgresql://u:p@db:5432/app", ""},
		{"sqlalchemy url", map[string]string{
			"DATABASE_URL": "postgresql+psycopg2://u:p@db/app?sslmode=require"},
			"postgresql://u:p@db/app?sslmode=require", ""},
		{"sqlite url", map[string]string{"DATABASE_URL": "sqlite:///var/app.db"}, "",
			filepath.Clean("var/app.db")},
		{"sqlite absolute url", map[string]string{"DATABASE_URL": "sqlite:////srv/app.db"}, "",
			filepath.Clean("/srv/app.db")},
		{"url wins over parts", map[string]string{"DATABASE_URL": "postgresql://h/one",
			"DB_NAME": "two", "DB_DRIVER": "postgresql"}, "postgresql://h/one", ""},
		{"parts with defaults", map[string]string{"DB_NAME": "app"},
			"postgresql://localhost:5432/app", ""},
		{"parts with driver", map[string]string{"DB_DRIVER": "postgresql+psycopg2",
			"DB_NAME": "app", "DB_USER": "fin", "DB_HOST": "db.internal", "DB_PORT": "6432"},
			"postgresql://fin@db.internal:6432/app", ""},
		{"parts ipv6 host", map[string]string{"DB_NAME": "app", "DB_HOST": "::1"},
			"postgresql://[::1]:5432/app", ""},
		{"parts socket dir", map[string]string{"DB_NAME": "app", "DB_HOST": "/run/postgresql"},
			"postgresql:///app?host=%2Frun%2Fpostgresql&port=5432", ""},
		{"parts escaped", map[string]string{"DB_NAME": "my/db", "DB_USER": "a@b",
			"DB_PASSWORD": "p@ss:/w?rd#% x"},
			"postgresql://a%40b:p%40ss%3A%2Fw%3Frd%23%25%20x@localhost:5432/my%2Fdb", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := mustLoad(t, tc.env)
			want := tc.wantSQLite
			if len(want) > 2 && want[:2] == "@/" {
				want = filepath.Join(c.DataDir, want[2:])
			}
			if c.DatabaseURL != tc.wantURL {
				t.Errorf("DatabaseURL: got %q, want %q", c.DatabaseURL, tc.wantURL)
			}
			if c.SQLitePath != want {
				t.Errorf("SQLitePath: got %q, want %q", c.SQLitePath, want)
			}
		})
	}
}

// TestDatabasePasswordRoundTrip checks that a password full of URL syntax comes back intact
// from the URL built out of DB_*.
func TestDatabasePasswordRoundTrip(t *testing.T) {
	passwords := []string{"p@ss:/w?rd#%", "sp ace", "ünï/cødé", "%41", `"'\`, "a+b=c&d"}
	for _, pw := range passwords {
		t.Run(pw, func(t *testing.T) {
			c := mustLoad(t, map[string]string{"DB_NAME": "app", "DB_USER": "u:ser",
				"DB_PASSWORD": pw, "DB_HOST": "db"})
			u, err := url.Parse(c.DatabaseURL)
			if err != nil {
				t.Fatalf("parse %q: %v", c.DatabaseURL, err)
			}
			got, _ := u.User.Password()
			if got != pw || u.User.Username() != "u:ser" || u.Host != "db:5432" ||
				u.Path != "/app" {
				t.Errorf("got user %q password %q host %q path %q, want u:ser %q db:5432 /app",
					u.User.Username(), got, u.Host, u.Path, pw)
			}
		})
	}
}
