package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runWith runs the command with only the given settings in its environment.
func runWith(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	code := run(context.Background(), args, lookup, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestBadConfigurationExits2(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string // each must appear in stderr
	}{
		{"SameSite None without Secure", map[string]string{"COOKIE_SAMESITE": "None"},
			[]string{"COOKIE_SAMESITE"}},
		{"production without secret", map[string]string{"APP_ENV": "production"},
			[]string{"JWT_SECRET"}},
		{"production with short secret",
			map[string]string{"APP_ENV": "production", "JWT_SECRET": "short"},
			[]string{"JWT_SECRET"}},
		{"production with sample secret", map[string]string{"APP_ENV": "production",
			"JWT_SECRET": "change_this_super_secret_string"}, []string{"JWT_SECRET"}},
		{"two problems at once",
			map[string]string{"JWT_ALG": "none", "ACCESS_TOKEN_EXPIRE_MINUTES": "soon"},
			[]string{"JWT_ALG", "ACCESS_TOKEN_EXPIRE_MINUTES"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.env["DATA_DIR"] = t.TempDir()
			code, _, stderr := runWith(t, tt.env, "serve")
			if code != 2 {
				t.Fatalf("exit code: got %d, want 2 (stderr %q)", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not name %s", stderr, w)
				}
			}
			if strings.Contains(stderr, "change_this_super_secret_string") {
				t.Errorf("stderr repeats the secret: %q", stderr)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"version"}, 0, "finintelli"},
		{[]string{"help"}, 0, "migrate status"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"migrate"}, 2, "usage: finintelli migrate"},
		{[]string{"migrate", "sideways"}, 2, "usage: finintelli migrate"},
		{[]string{"serve", "extra"}, 2, "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runWith(t, map[string]string{"DATA_DIR": t.TempDir()},
				tt.args...)
			if code != tt.code || !strings.Contains(stdout+stderr, tt.out) {
				t.Fatalf("got code %d and output %q, want %d and %q", code, stdout+stderr,
					tt.code, tt.out)
			}
		})
	}
}

// TestMigrateOnSQLite applies the migrations to a new SQLite file and lists them, and checks
// that the development secret is generated once with mode 0600 and then reused.
func TestMigrateOnSQLite(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DATA_DIR": dir}

	code, stdout, stderr := runWith(t, env, "migrate", "status")
	if code != 0 {
		t.Fatalf("migrate status before up: code %d, stderr %q", code, stderr)
	}
	code, _, stderr = runWith(t, env, "migrate", "up")
	if code != 0 {
		t.Fatalf("migrate up: code %d, stderr %q", code, stderr)
	}
	code, after, stderr := runWith(t, env, "migrate", "status")
	if code != 0 || after == stdout {
		t.Fatalf("migrate status after up: code %d, output unchanged %q, stderr %q",
			code, after, stderr)
	}

	secret := filepath.Join(dir, "jwt_secret")
	info, err := os.Stat(secret)
	if err != nil {
		t.Fatalf("development secret: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("secret mode: got %v, want 0600", info.Mode().Perm())
	}
	before, _ := os.ReadFile(secret)
	runWith(t, env, "migrate", "status")
	again, _ := os.ReadFile(secret)
	if !bytes.Equal(before, again) {
		t.Fatal("the development secret changed between runs")
	}
}
