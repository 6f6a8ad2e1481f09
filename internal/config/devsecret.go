package config

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// SecretFile is the name of the development JWT secret inside DataDir.
const SecretFile = "jwt_secret"

// SecretPath returns the file in which EnsureSecret keeps the development JWT secret.
func (c *Config) SecretPath() string { return filepath.Join(c.DataDir, SecretFile) }

// EnsureSecret gives a development server without JWT_SECRET a secret that survives
// restarts: it reads SecretPath, or creates it with 48 random bytes (base64url, mode 0600)
// when it does not exist yet, and sets c.JWTSecret. It reports whether it created the file.
// It does nothing in production or when JWTSecret is set. Servers starting at the same time
// all end up with the one secret that was written first. A file readable by others adds a
// warning to c.Warnings.
func (c *Config) EnsureSecret() (created bool, err error) {
	if c.JWTSecret != "" || c.Production() {
		return false, nil
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return false, fmt.Errorf("config: create data directory: %w", err)
	}
	path := c.SecretPath()

	secret, err := c.readSecretFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		created, err = createSecretFile(path)
		if err != nil {
			return false, err
		}
		// Read back what is there: if another process won the race, that is its secret.
		secret, err = c.readSecretFile(path)
	}
	if err != nil {
		return false, err
	}

	c.JWTSecret = secret
	return created, nil
}

// readSecretFile returns the secret stored at path.
func (c *Config) readSecretFile(path string) (Secret, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("config: read JWT secret: %w", err)
	}

	secret := Secret(strings.TrimSpace(string(data)))
	if len(secret) < MinSecretLen {
		return "", fmt.Errorf("config: %s holds no usable secret (under %d bytes); "+
			"delete it to generate a new one", path, MinSecretLen)
	}
	if info, err := os.Stat(path); err == nil && runtime.GOOS != "windows" &&
		info.Mode().Perm()&0o077 != 0 {
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s: permissions %04o are looser than "+
			"0600; run chmod 600 %s", path, info.Mode().Perm(), path))
	}
	return secret, nil
}

// createSecretFile writes a new random secret to path unless path exists. The secret is
// written to a temporary file first and then hard-linked into place: the link fails when
// path exists (like O_EXCL) and makes the whole file appear at once (like rename, which
// would instead replace a secret another process is already using).
func createSecretFile(path string) (created bool, err error) {
	key := make([]byte, 48)
	if _, err := rand.Read(key); err != nil {
		return false, fmt.Errorf("config: generate JWT secret: %w", err)
	}
	text := base64.RawURLEncoding.EncodeToString(key) + "\n"

	tmp, err := os.CreateTemp(filepath.Dir(path), "."+SecretFile+"-*.tmp")
	if err != nil {
		return false, fmt.Errorf("config: write JWT secret: %w", err)
	}
	defer os.Remove(tmp.Name())

	if err := writeAndClose(tmp, text); err != nil {
		return false, fmt.Errorf("config: write JWT secret: %w", err)
	}
	err = os.Link(tmp.Name(), path)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("config: write JWT secret: %w", err)
	}
	syncDir(filepath.Dir(path))
	return true, nil
}

func writeAndClose(f *os.File, text string) error {
	if err := f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		f.Close()
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a new directory entry durable where the system allows it; failing to is
// not an error, as the secret is already readable.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}
