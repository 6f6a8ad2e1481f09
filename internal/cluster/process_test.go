package cluster_test

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/finintelli/auth/internal/testenv"
)

// redisDB is the Redis logical database of this package. The server keeps its rate limits
// under a fixed key prefix, so the package takes a database of its own and empties it once
// per run instead of sharing keys with other packages' tests.
const redisDB = 13

// binary is the finintelli executable that TestMain builds.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "finintelli-cluster-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "cluster: temp dir:", err)
		os.Exit(1)
	}
	binary, err = testenv.BuildServer(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	flushOnce sync.Once
	flushErr  error
)

// sharedRedis returns the URL of this package's Redis database, emptied on first use, or
// skips the test (fails it in CI) when Redis cannot be reached.
func sharedRedis(t *testing.T) string {
	t.Helper()
	u, err := url.Parse(testenv.RedisURL())
	if err != nil {
		t.Fatalf("parse Redis URL: %v", err)
	}
	u.Path = "/" + strconv.Itoa(redisDB)
	opts, err := redis.ParseURL(u.String())
	if err != nil {
		t.Fatalf("parse Redis URL: %v", err)
	}
	client := redis.NewClient(opts)
	defer client.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		testenv.Unavailable(t, "Redis", err)
	}
	flushOnce.Do(func() { flushErr = client.FlushDB(ctx).Err() })
	if flushErr != nil {
		t.Fatalf("empty Redis database %d: %v", redisDB, flushErr)
	}
	return u.String()
}

// instance is one finintelli server process.
type instance struct {
	name   string
	url    string // http://127.0.0.1:port
	cmd    *exec.Cmd
	log    string // file holding the process's stdout and stderr
	exited chan struct{}
}

// startCluster starts two servers, A and B, on one fresh PostgreSQL database and the
// package's Redis, with the same secret. Both start at once, so they also race to migrate
// the empty database. extra adds or overrides settings.
func startCluster(t *testing.T, extra map[string]string) (a, b *instance) {
	t.Helper()
	env := map[string]string{
		"APP_ENV":             "development",
		"DATABASE_URL":        testenv.Postgres(t),
		"REDIS_URL":           sharedRedis(t),
		"JWT_SECRET":          "cluster-test-secret-0123456789abcdef-0123456789",
		"BCRYPT_COST":         "4",
		"TRUSTED_PROXIES":     "127.0.0.1/32",
		"RATE_LIMIT_LOGIN_IP": "5/1m",
	}
	maps.Copy(env, extra)

	a, b = launch(t, "A", env), launch(t, "B", env)
	return awaitHealthy(t, a, env), awaitHealthy(t, b, env)
}

// launch starts one server on a port that was free a moment ago. The process is stopped
// when the test ends, and its output is printed if the test failed.
func launch(t *testing.T, name string, env map[string]string) *instance {
	t.Helper()
	port := testenv.FreePort(t)
	settings := maps.Clone(env)
	settings["LISTEN_ADDR"] = "127.0.0.1:" + strconv.Itoa(port)
	settings["DATA_DIR"] = t.TempDir()

	logPath := filepath.Join(t.TempDir(), name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatalf("server %s: %v", name, err)
	}
	cmd := exec.Command(binary, "serve")
	cmd.Dir = t.TempDir() // no .env file to pick up
	cmd.Env = envList(settings)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start server %s: %v", name, err)
	}

	in := &instance{name: name, url: "http://" + settings["LISTEN_ADDR"], cmd: cmd,
		log: logPath, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(in.exited)
	}()
	t.Cleanup(func() {
		in.stop()
		logFile.Close()
		if t.Failed() {
			t.Logf("output of server %s:\n%s", name, in.output())
		}
	})
	return in
}

// awaitHealthy waits until in answers /healthz. A server that lost its port to another
// process before binding it is started again on a new port, up to twice.
func awaitHealthy(t *testing.T, in *instance, env map[string]string) *instance {
	t.Helper()
	for attempt := 1; ; attempt++ {
		err := in.waitHealthy(30 * time.Second)
		if err == nil {
			return in
		}
		bindFailed := strings.Contains(in.output(), "address already in use")
		if !bindFailed || attempt == 3 {
			t.Fatalf("server %s: %v", in.name, err)
		}
		t.Logf("server %s lost its port; starting it again", in.name)
		in = launch(t, in.name, env)
	}
}

func (in *instance) waitHealthy(patience time.Duration) error {
	if err := testenv.WaitHealthy(in.url, in.exited, patience); err != nil {
		return fmt.Errorf("%w (%v)", err, in.cmd.ProcessState)
	}
	return nil
}

// stop asks the server to shut down and kills it if it has not within ten seconds.
func (in *instance) stop() {
	select {
	case <-in.exited:
		return
	default:
	}
	_ = in.cmd.Process.Signal(os.Interrupt)
	select {
	case <-in.exited:
	case <-time.After(10 * time.Second):
		_ = in.cmd.Process.Kill()
		<-in.exited
	}
}

func (in *instance) output() string {
	data, err := os.ReadFile(in.log)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", in.log, err)
	}
	return string(data)
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
