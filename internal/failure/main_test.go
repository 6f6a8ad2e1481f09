package failure_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
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
	serverBinary = filepath.Join(dir, "finintelli")
	if err := build(serverBinary); err != nil {
		fmt.Fprintln(os.Stderr, "failure:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}

	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// build compiles ./cmd/finintelli of the module the tests run in into out.
func build(out string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-o", out, "./cmd/finintelli")
	cmd.Dir = root
	if output, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, output)
	}
	return nil
}

// moduleRoot returns the nearest directory at or above the working directory that holds
// a go.mod file.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("module root: no go.mod above the working directory")
		}
		dir = parent
	}
}
