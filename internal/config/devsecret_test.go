package config_test

import (
	"encoding/base64"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/finintelli/auth/internal/config"
)

// devConfig loads a development Config whose DATA_DIR is dir.
func devConfig(t *testing.T, dir string) *config.Config {
	t.Helper()
	c, err := config.Load(lookupOf(map[string]string{"DATA_DIR": dir}), "")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func TestEnsureSecretCreatesAndReuses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	c := devConfig(t, dir)

	created, err := c.EnsureSecret()
	if err != nil || !created {
		t.Fatalf("first EnsureSecret: got created=%v err=%v, want true, nil", created, err)
	}
	key, err := base64.RawURLEncoding.DecodeString(string(c.JWTSecret))
	if err != nil || len(key) != 48 {
		t.Errorf("secret: got %d bytes (err %v), want 48 bytes of base64url", len(key), err)
	}
	if c.SecretPath() != filepath.Join(dir, "jwt_secret") {
		t.Errorf("SecretPath: got %q, want %q", c.SecretPath(), filepath.Join(dir, "jwt_secret"))
	}
	if runtime.GOOS != "windows" {
		checkMode(t, dir, 0o700)
		checkMode(t, c.SecretPath(), 0o600)
	}

	again := devConfig(t, dir)
	created, err = again.EnsureSecret()
	if err != nil || created {
		t.Fatalf("second EnsureSecret: got created=%v err=%v, want false, nil", created, err)
	}
	if again.JWTSecret != c.JWTSecret {
		t.Error("second start got a different secret, want the stored one")
	}
	if len(again.Warnings) != 0 {
		t.Errorf("got warnings %q, want none", again.Warnings)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("data directory holds %d entries, want only jwt_secret", len(entries))
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s: got mode %04o, want %04o", path, got, want)
	}
}

func TestEnsureSecretDoesNothing(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"secret set", map[string]string{"JWT_SECRET": strongSecret}},
		{"production", map[string]string{"APP_ENV": "production", "JWT_SECRET": strongSecret,
			"COOKIE_SECURE": "true"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			c := mustLoad(t, withDir(tc.env, dir))

			created, err := c.EnsureSecret()
			if err != nil || created {
				t.Errorf("got created=%v err=%v, want false, nil", created, err)
			}
			if string(c.JWTSecret) != strongSecret {
				t.Error("JWTSecret changed, want the configured one")
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("DATA_DIR was touched (stat: %v), want it left alone", err)
			}
		})
	}
}

func withDir(env map[string]string, dir string) map[string]string {
	all := maps.Clone(env)
	all["DATA_DIR"] = dir
	return all
}

func TestEnsureSecretLoosePermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes do not apply on Windows")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "jwt_secret")
	if err := os.WriteFile(path, []byte(strongSecret+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}

	c := devConfig(t, dir)
	created, err := c.EnsureSecret()
	if err != nil || created {
		t.Fatalf("got created=%v err=%v, want false, nil", created, err)
	}
	if string(c.JWTSecret) != strongSecret {
		t.Errorf("got a different secret, want the file's (trimmed)")
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "0644") {
		t.Errorf("got warnings %q, want one about mode 0644", c.Warnings)
	}
}

func TestEnsureSecretUnusableFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "jwt_secret"), []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	c := devConfig(t, dir)
	if _, err := c.EnsureSecret(); err == nil || !strings.Contains(err.Error(), "delete it") {
		t.Errorf("got error %v, want one asking to delete the file", err)
	}
	if c.JWTSecret != "" {
		t.Error("JWTSecret was set from an unusable file")
	}
}

// TestEnsureSecretConcurrent starts many servers on one empty DATA_DIR at once: exactly one
// creates the secret and all of them end up using it.
func TestEnsureSecretConcurrent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	const n = 16
	configs := make([]*config.Config, n)
	createdBy := make([]bool, n)
	errs := make([]error, n)
	for i := range configs {
		configs[i] = devConfig(t, dir)
	}

	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range configs {
		wg.Go(func() {
			<-start
			createdBy[i], errs[i] = configs[i].EnsureSecret()
		})
	}
	close(start)
	wg.Wait()

	creators := 0
	for i, c := range configs {
		if errs[i] != nil {
			t.Fatalf("EnsureSecret %d: %v", i, errs[i])
		}
		if createdBy[i] {
			creators++
		}
		if c.JWTSecret != configs[0].JWTSecret {
			t.Errorf("server %d uses a different secret from server 0", i)
		}
	}
	if creators != 1 {
		t.Errorf("got %d creators, want 1", creators)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("data directory holds %d entries, want only jwt_secret", len(entries))
	}
}
