package failure_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/finintelli/auth/internal/config"
)

// TestSQLiteDiskFull: the disk fills up under a server on SQLite while clients refresh and
// log in, and then has room again.
//
// Filling the shared disk, or mounting a small file system, is out of bounds for a test,
// so a full disk is simulated with a limit on the size of the files the server process may
// write (RLIMIT_FSIZE, lowered on the running process and raised again, which needs no
// privilege): writing past it fails as on a full disk, with EFBIG instead of ENOSPC, which
// SQLite reports as an I/O error (SQLITE_IOERR_WRITE) rather than SQLITE_FULL. Not covered:
// ENOSPC itself and the SQLITE_FULL path, and a full disk under PostgreSQL, which would
// need a small file system of its own.
//
// While the disk is full writes answer 503 with Retry-After, never 500; the server recovers
// by itself when there is room; every session still refreshes, and the file is sound.
func TestSQLiteDiskFull(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, config.SQLiteFile)
	p := launchHealthy(t, "full", settings(map[string]string{"DATA_DIR": dir}))
	f := newFleet(t, p.url, 3)
	f.logins, f.db = true, openSQLite(t, path)
	f.start()
	f.awaitRefreshes(f.refreshed(), 3)

	full := time.Now()
	room := limitFileSize(t, p.cmd.Process.Pid, largestFile(t, path, path+"-wal"))
	waitFor(t, "503 answers with the disk full", func() bool {
		return f.count("POST /auth/refresh 503") >= 2*len(f.workers)
	})
	time.Sleep(time.Until(full.Add(outage))) // keep it full for a while
	room()
	f.awaitRefreshes(f.refreshed(), 2)
	f.halt()

	f.checkAlive()
	n := checkChains(t, f.db)
	checkIntegrity(t, f.db)
	if got := f.count("transport error"); got > 0 {
		t.Errorf("got %d requests without an answer, want every request answered", got)
	}
	f.report()
	t.Logf("%d refresh tokens checked", n)
}

// limitFileSize lets the process pid write files up to size bytes only, and returns a
// function that lifts the limit again. Only the soft limit changes: lowering the hard one
// could not be undone without privilege.
func limitFileSize(t *testing.T, pid int, size int64) func() {
	t.Helper()
	var old unix.Rlimit
	if err := unix.Prlimit(pid, unix.RLIMIT_FSIZE, nil, &old); err != nil {
		t.Fatalf("read the file-size limit: %v", err)
	}
	limit := unix.Rlimit{Cur: uint64(size), Max: old.Max}
	if err := unix.Prlimit(pid, unix.RLIMIT_FSIZE, &limit, nil); err != nil {
		t.Fatalf("limit the file size: %v", err)
	}
	return func() {
		t.Helper()
		if err := unix.Prlimit(pid, unix.RLIMIT_FSIZE, &old, nil); err != nil {
			t.Fatalf("lift the file-size limit: %v", err)
		}
	}
}

// largestFile returns the size of the largest of paths, which must exist.
func largestFile(t *testing.T, paths ...string) int64 {
	t.Helper()
	var most int64
	for _, path := range paths {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		most = max(most, fi.Size())
	}
	return most
}
