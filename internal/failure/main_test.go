package failure_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/finintelli/auth/internal/testenv"
)

// serverBinary is the finintelli executable that TestMain builds once for the package.
var serverBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "finintelli-failure-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "failure: temp dir:", err)
		os.Exit(1)
	}
	// Readable by everyone, so that a server started as an unprivileged user can run it.
	if err := os.Chmod(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "failure:", err)
		os.Exit(1)
	}
	serverBinary, err = testenv.BuildServer(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "failure:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}

	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
