package failure_test

import (
	"crypto/sha256"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/config"
)

// nobody is the user a server runs as when the tests run as root, for whom file
// permissions do not hold: a read-only file is read-only for nobody.
const nobody = 65534

// TestSQLiteUnusableAtStart: a server whose SQLite database cannot be used stops at start
// with exit code 1 and a message that names the cause, does not panic, and leaves every
// file it found as it was.
//
// A read-only file is made with permissions. Root ignores them, so when the tests run as
// root the server runs as the unprivileged user nobody instead; the product cannot be told
// to open its file read-only (DATA_DIR names a directory, and a SQLite DATABASE_URL keeps
// only the path), so this is the one way without changing the machine. A read-only mount
// needs root and is not tested.
func TestSQLiteUnusableAtStart(t *testing.T) {
	t.Parallel()
	valid := migratedDatabase(t)
	cases := []struct {
		name      string
		prepare   func(t *testing.T, dir string) string // arranges dir, returns DATA_DIR
		lockedDir bool                                  // the server may not write to dir
		want      string                                // in the output, with "cannot start"
	}{
		{"data dir is a file", func(t *testing.T, dir string) string {
			return writeFile(t, filepath.Join(dir, "data"), []byte("not a directory\n"))
		}, false, "not a directory"},
		{"database is a directory", func(t *testing.T, dir string) string {
			mkdir(t, filepath.Join(dir, config.SQLiteFile))
			return dir
		}, false, "unable to open database file"},
		{"database of random bytes", func(t *testing.T, dir string) string {
			writeFile(t, filepath.Join(dir, config.SQLiteFile), noise(64<<10))
			return dir
		}, false, "file is not a database"},
		{"header overwritten", func(t *testing.T, dir string) string {
			db := append(noise(100), valid[100:]...)
			writeFile(t, filepath.Join(dir, config.SQLiteFile), db)
			return dir
		}, false, "file is not a database"},
		{"truncated at a page boundary", func(t *testing.T, dir string) string {
			writeFile(t, filepath.Join(dir, config.SQLiteFile), valid[:len(valid)/2&^4095])
			return dir
		}, false, "malformed"},
		{"truncated within a page", func(t *testing.T, dir string) string {
			writeFile(t, filepath.Join(dir, config.SQLiteFile), valid[:len(valid)/2+1000])
			return dir
		}, false, "malformed"},
		{"read-only directory, no database yet", func(t *testing.T, dir string) string {
			return dir
		}, true, "unable to open database file"},
		{"read-only directory and database", func(t *testing.T, dir string) string {
			writeFile(t, filepath.Join(dir, config.SQLiteFile), valid)
			chmodReadOnly(t, filepath.Join(dir, config.SQLiteFile))
			return dir
		}, true, "readonly database"},
		{"read-only database in a writable directory", func(t *testing.T, dir string) string {
			writeFile(t, filepath.Join(dir, config.SQLiteFile), valid)
			chmodReadOnly(t, filepath.Join(dir, config.SQLiteFile))
			return dir
		}, false, "readonly database"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(publicDir(t), "data")
			mkdir(t, dir)
			dataDir := tc.prepare(t, dir)
			before := snapshot(t, dir)

			p := startOn(t, dataDir, dir, tc.lockedDir)
			code, started := p.outcome(30 * time.Second)
			if started {
				t.Fatalf("the server started on an unusable database; then %s", probe(p))
			}
			out := p.out.String()
			if code != 1 {
				t.Errorf("got exit code %d, want 1", code)
			}
			if !strings.Contains(out, "cannot start") || !strings.Contains(out, tc.want) {
				t.Errorf("got output %q, want \"cannot start\" and %q", out, tc.want)
			}
			if strings.Contains(out, "panic") || strings.Contains(out, "goroutine ") {
				t.Errorf("the server panicked:\n%s", out)
			}
			checkUnchanged(t, before, snapshot(t, dir))
		})
	}
}

// startOn starts a server on DATA_DIR dataDir; the directory dir is writable for the
// server unless locked.
func startOn(t *testing.T, dataDir, dir string, locked bool) *process {
	t.Helper()
	env := settings(map[string]string{"DATA_DIR": dataDir})
	if os.Geteuid() != 0 {
		if locked {
			makeReadOnlyDir(t, dir)
		}
		return launch(t, "unusable", env)
	}
	if !locked {
		chownTree(t, dir, nobody)
	}
	return launchAs(t, "unusable", env, nobody)
}

// outcome waits until the process exits, returning its exit code, or answers /healthz,
// returning started; after patience it gives -1.
func (p *process) outcome(patience time.Duration) (code int, started bool) {
	deadline := time.Now().Add(patience)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return p.cmd.ProcessState.ExitCode(), false
		case <-time.After(100 * time.Millisecond):
		}
		if getStatus(p.url+"/healthz") == http.StatusOK {
			return 0, true
		}
	}
	return -1, false
}

// probe registers an account on a server that started, to show what its clients get.
func probe(p *process) string {
	r, err := newClient(p.url).register("probe")
	if err != nil {
		return "register failed: " + err.Error()
	}
	return "register got " + http.StatusText(r.status) + ": " + string(r.body)
}

// migratedDatabase returns the bytes of a new SQLite database with every migration
// applied, made by "finintelli migrate up".
func migratedDatabase(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(serverBinary, "migrate", "up")
	cmd.Dir = dir
	cmd.Env = envList(settings(map[string]string{"DATA_DIR": dir}))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("migrate up: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, config.SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// noise returns n bytes that are the same on every run.
func noise(n int) []byte {
	r := rand.New(rand.NewPCG(8, 13))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func mkdir(t *testing.T, path string) {
	t.Helper()
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
}

// chmodReadOnly takes away every write permission on path; for root that changes nothing,
// which is why the tests run the server as nobody then.
func chmodReadOnly(t *testing.T, path string) {
	t.Helper()
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
}

// makeReadOnlyDir takes away the write permission on dir until the test ends.
func makeReadOnlyDir(t *testing.T, dir string) {
	t.Helper()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
}

// chownTree gives dir and the directories in it to uid, so that a server running as uid
// may create files there; the files keep their owner.
func chownTree(t *testing.T, dir string, uid int) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		return os.Chown(path, uid, uid)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// snapshot returns the SHA-256 of every regular file under dir.
func snapshot(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	sums := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sums[path] = sha256.Sum256(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

// checkUnchanged fails the test for every file of before that changed or went away.
// New files (SQLite's -wal and -shm beside a database) are allowed.
func checkUnchanged(t *testing.T, before, after map[string][32]byte) {
	t.Helper()
	for path, sum := range before {
		got, ok := after[path]
		switch {
		case !ok:
			t.Errorf("%s: removed", path)
		case got != sum:
			t.Errorf("%s: modified", path)
		}
	}
}
