package failure_test

import (
	"bytes"
	"maps"
	"os"
	"sync"
	"testing"
)

// secret is the JWT_SECRET of every server of this package. The tests derive the refresh
// token hashes from it, to find in the database the rows of the tokens they hold.
const secret = "failure-test-secret-0123456789abcdef-0123456789"

// password is the password of every account the tests create.
const password = "correct horse battery staple 42"

// grace is the refresh-token reuse grace window of the servers, in seconds. It is long so
// that a client whose refresh was committed but whose answer was lost (to an outage or a
// crash) can still retry with its old token after the failure and get the same successor:
// that is the recovery path these tests exercise.
const grace = "30"

// settings returns the configuration every server of this package starts from, with extra
// added or overriding: cheap hashing, no housekeeping, and rate limits far above what the
// tests send, so that only the failure under test can refuse a request.
func settings(extra map[string]string) map[string]string {
	env := map[string]string{
		"APP_ENV":                        "development",
		"JWT_SECRET":                     secret,
		"BCRYPT_COST":                    "4",
		"REFRESH_REUSE_GRACE_SECONDS":    grace,
		"HOUSEKEEPING_INTERVAL":          "0",
		"RATE_LIMIT_LOGIN_IP":            "100000/1m",
		"RATE_LIMIT_LOGIN_ACCOUNT":       "100000/1m",
		"RATE_LIMIT_LOGIN_ACCOUNT_DAILY": "1000000/24h",
		"RATE_LIMIT_REGISTER_IP":         "100000/1h",
		"RATE_LIMIT_REFRESH_SESSION":     "100000/1m",
	}
	maps.Copy(env, extra)
	return env
}

// publicDir returns a new directory that every user may enter and read, for a server
// started as another user; it is removed when the test ends. (t.TempDir is private to the
// user running the tests.)
func publicDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "finintelli-failure-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// syncBuffer is a bytes.Buffer that a process or a logger may write while a test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
