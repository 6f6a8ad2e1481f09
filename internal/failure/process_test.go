package failure_test

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/testenv"
)

// process is one finintelli server process started by a test.
type process struct {
	name string
	url  string // http://127.0.0.1:port
	cmd  *exec.Cmd

	// out collects stdout and stderr through a pipe: a log file would count against a
	// file-size limit set on the process.
	out    *syncBuffer
	exited chan struct{}
}

// launch starts "finintelli serve" with env as its whole environment, on a port that was
// free a moment ago unless env sets LISTEN_ADDR. The process is stopped when the test ends,
// and its output is printed if the test failed.
func launch(t *testing.T, name string, env map[string]string) *process {
	t.Helper()
	return spawn(t, name, env, t.TempDir(), nil)
}

// launchAs is launch for a server running as the user and group uid, for tests that need
// file permissions to hold, which they do not for root.
func launchAs(t *testing.T, name string, env map[string]string, uid uint32) *process {
	t.Helper()
	return spawn(t, name, env, publicDir(t), &syscall.Credential{Uid: uid, Gid: uid})
}

func spawn(t *testing.T, name string, env map[string]string, dir string,
	cred *syscall.Credential) *process {
	t.Helper()
	settings := maps.Clone(env)
	if settings["LISTEN_ADDR"] == "" {
		settings["LISTEN_ADDR"] = "127.0.0.1:" + strconv.Itoa(testenv.FreePort(t))
	}

	p := &process{name: name, url: "http://" + settings["LISTEN_ADDR"], out: &syncBuffer{},
		exited: make(chan struct{})}
	p.cmd = exec.Command(serverBinary, "serve")
	p.cmd.Dir = dir // holds no .env file to pick up
	p.cmd.Env = envList(settings)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if cred != nil {
		p.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start server %s: %v", name, err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.exited)
	}()

	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("output of server %s:\n%s", name, p.out)
		}
	})
	return p
}

// launchHealthy launches a server and waits until it answers /healthz. A server that lost
// its port to another process before binding it is started again on a new port, up to
// twice.
func launchHealthy(t *testing.T, name string, env map[string]string) *process {
	t.Helper()
	for attempt := 1; ; attempt++ {
		p := launch(t, name, env)
		err := p.waitHealthy(30 * time.Second)
		if err == nil {
			return p
		}
		if !strings.Contains(p.out.String(), "address already in use") || attempt == 3 {
			t.Fatalf("server %s: %v", name, err)
		}
		t.Logf("server %s lost its port; starting it again", name)
	}
}

// waitHealthy polls /healthz until it answers 200, the process exits or patience runs out.
func (p *process) waitHealthy(patience time.Duration) error {
	if err := testenv.WaitHealthy(p.url, p.exited, patience); err != nil {
		return fmt.Errorf("%w (%v)", err, p.cmd.ProcessState)
	}
	return nil
}

// kill sends SIGKILL to the process, which this test started, and waits until it is gone.
func (p *process) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// stop asks the server to shut down and kills it if it has not within ten seconds.
func (p *process) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		p.kill()
	}
}

// envList turns settings into a process environment. Nothing of the test's own
// environment is passed on, so a DATABASE_URL or REDIS_URL set there cannot leak in.
func envList(settings map[string]string) []string {
	var list []string
	for _, k := range slices.Sorted(maps.Keys(settings)) {
		list = append(list, k+"="+settings[k])
	}
	return list
}
