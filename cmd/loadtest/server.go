package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// server is a finintelli process started for the measurement.
type server struct {
	cmd  *exec.Cmd
	base string
}

// startServer builds (unless bin is given) and starts the server on a free loopback port
// with the given database, password cost and limits high enough not to interfere.
func startServer(bin, databaseURL string, cost, queue int, logFile *os.File) (*server, error) {
	if bin == "" {
		bin = filepath.Join(os.TempDir(), "finintelli-loadtest")
		build := exec.Command("go", "build", "-o", bin, "./cmd/finintelli")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return nil, fmt.Errorf("build server: %w", err)
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 48)
	_, _ = rand.Read(secret)

	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"APP_ENV=production",
		"LOG_LEVEL=warn",
		"LISTEN_ADDR=127.0.0.1:"+strconv.Itoa(port),
		"DATABASE_URL="+databaseURL,
		"JWT_SECRET="+base64.RawURLEncoding.EncodeToString(secret),
		"BCRYPT_COST="+strconv.Itoa(cost),
		"BCRYPT_QUEUE="+strconv.Itoa(queue),
		"RATE_LIMIT_LOGIN_IP=1000000/1s",
		"RATE_LIMIT_LOGIN_ACCOUNT=1000000/1s",
		"RATE_LIMIT_LOGIN_ACCOUNT_DAILY=1000000/1s",
		"RATE_LIMIT_REGISTER_IP=1000000/1s",
		"RATE_LIMIT_REFRESH_SESSION=1000000/1s",
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start server: %w", err)
	}
	s := &server{cmd: cmd, base: "http://127.0.0.1:" + strconv.Itoa(port)}
	if err := s.waitHealthy(30 * time.Second); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (s *server) waitHealthy(limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for ctx.Err() == nil {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("server at %s did not become ready in %s", s.base, limit)
}

// peakRSS returns the server's peak resident set size in bytes (VmHWM).
func (s *server) peakRSS() (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc status")
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}
