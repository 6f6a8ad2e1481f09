package config_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/finintelli/auth/internal/config"
)

// TestNoSecretsPrinted prints and logs a Config in every common way and checks that the JWT
// secret and the passwords never appear.
func TestNoSecretsPrinted(t *testing.T) {
	secrets := []string{strongSecret, "dbS3cretPw", "r3disSecretPw"}
	for name, env := range map[string]map[string]string{
		"database url": {"JWT_SECRET": strongSecret,
			"DATABASE_URL": "postgresql://fin:dbS3cretPw@db/app",
			"REDIS_URL":    "redis://default:r3disSecretPw@127.0.0.1:6379/0"},
		"database parts": {"JWT_SECRET": strongSecret, "DB_NAME": "app", "DB_USER": "fin",
			"DB_PASSWORD": "dbS3cretPw", "REDIS_URL": "redis://:r3disSecretPw@127.0.0.1:6379"},
	} {
		t.Run(name, func(t *testing.T) {
			c := mustLoad(t, env)
			var buf bytes.Buffer
			slog.New(slog.NewJSONHandler(&buf, nil)).Info("start", "config", c,
				"secret", c.JWTSecret)
			slog.New(slog.NewTextHandler(&buf, nil)).Info("start", "config", *c,
				"secret", c.JWTSecret)
			fmt.Fprintf(&buf, "%v %+v %#v %s %v %+v %#v", c, c, c, c, *c, *c, *c)
			fmt.Fprintf(&buf, "%v %s %q %x %d %#v", c.JWTSecret, c.JWTSecret, c.JWTSecret,
				c.JWTSecret, c.JWTSecret, c.JWTSecret)
			j, err := json.Marshal(c)
			if err != nil {
				t.Fatalf("json.Marshal: %v", err)
			}
			buf.Write(j)

			out := buf.String()
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("output contains %q:\n%s", s, out)
				}
			}
			for _, want := range []string{"jwt_secret_set", "fin:xxxxx@", "[redacted]"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// TestSecretConversion checks that a Secret still converts to its value for use.
func TestSecretConversion(t *testing.T) {
	s := config.Secret("abc")
	if got := string([]byte(s)); got != "abc" {
		t.Errorf("got %q, want abc", got)
	}
	if got := fmt.Sprint(config.Secret("")); got != "" {
		t.Errorf("empty Secret printed as %q, want empty", got)
	}
}

func TestProblemsError(t *testing.T) {
	p := config.Problems{"A: one", "B: two"}
	want := "invalid configuration:\n  A: one\n  B: two"
	if got := p.Error(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
