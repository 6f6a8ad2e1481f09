package ratelimit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/ratelimit"
	"github.com/finintelli/auth/internal/testenv"
)

const (
	downMsg = "rate limiter: Redis unreachable, using in-memory limits"
	backMsg = "rate limiter: Redis is back"
)

// logBuffer collects log output from many goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) count(s string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.buf.String(), s)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newLogger() (*slog.Logger, *logBuffer) {
	buf := &logBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

func TestRedisBurst(t *testing.T) {
	client, prefix := testenv.Redis(t)
	logger, logs := newLogger()
	l := ratelimit.NewRedis(client, prefix, logger)

	for _, rule := range burstRules {
		t.Run(rule.Name, func(t *testing.T) {
			checkBurst(t, l, rule, "203.0.113.7")
		})
	}
	if logs.count(downMsg) != 0 {
		t.Errorf("Redis was reported down:\n%s", logs)
	}
}

func TestRedisKeyLayout(t *testing.T) {
	client, prefix := testenv.Redis(t)
	l := ratelimit.NewRedis(client, prefix, nil)
	rule := auth.Rule{Name: "login_ip", Limit: 5, Period: time.Minute}

	if _, err := l.Allow(context.Background(), rule, "203.0.113.7"); err != nil {
		t.Fatal(err)
	}
	key := prefix + "login_ip:203.0.113.7"
	ttl, err := client.TTL(context.Background(), key).Result()
	if err != nil || ttl <= 0 || ttl > rule.Period {
		t.Errorf("key %q: got TTL %v, %v, want one in (0, %v]", key, ttl, err, rule.Period)
	}
}

func TestRedisKeysIndependent(t *testing.T) {
	client, prefix := testenv.Redis(t)
	checkIndependent(t, ratelimit.NewRedis(client, prefix, nil))
}

func TestRedisConcurrent(t *testing.T) {
	client, prefix := testenv.Redis(t)
	logger, logs := newLogger()
	l := ratelimit.NewRedis(client, prefix, logger)
	l.Timeout = 10 * time.Second // 100 attempts at once on a busy machine: no fallback

	checkConcurrent(t, l)
	if logs.count(downMsg) != 0 {
		t.Errorf("Redis was reported down, so memory decided:\n%s", logs)
	}
}

// TestRedisShared checks that two Limiters (two servers) on one Redis and prefix share one
// count, and that another prefix does not.
func TestRedisShared(t *testing.T) {
	client, prefix := testenv.Redis(t)
	a := ratelimit.NewRedis(client, prefix, nil)
	b := ratelimit.NewRedis(client, prefix, nil)
	other := ratelimit.NewRedis(client, prefix+"other:", nil)
	rule := auth.Rule{Name: "login_account", Limit: 5, Period: time.Hour}
	ctx := context.Background()

	for i, l := range []*ratelimit.Limiter{a, b, a, b, a} {
		if d, err := l.Allow(ctx, rule, "alice"); err != nil || !d.Allowed {
			t.Fatalf("attempt %d: got %+v, %v, want allowed", i+1, d, err)
		}
	}
	for name, l := range map[string]*ratelimit.Limiter{"a": a, "b": b} {
		if d, err := l.Allow(ctx, rule, "alice"); err != nil || d.Allowed {
			t.Errorf("limiter %s after 5 shared attempts: got %+v, %v, want refused", name, d, err)
		}
	}
	if d, err := other.Allow(ctx, rule, "alice"); err != nil || !d.Allowed {
		t.Errorf("other prefix: got %+v, %v, want allowed", d, err)
	}
}

// TestRedisDown points a Limiter at a closed port: it keeps deciding in memory and logs the
// outage once, however often it tries Redis again.
func TestRedisDown(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: closedAddr(t)})
	defer client.Close()
	logger, logs := newLogger()
	l := ratelimit.NewRedis(client, "fi_test:down:", logger)
	l.RetryInterval = 20 * time.Millisecond

	rule := auth.Rule{Name: "login_ip", Limit: 3, Period: time.Hour}
	checkBurst(t, l, rule, "203.0.113.7")
	for range 3 {
		time.Sleep(30 * time.Millisecond) // let the Limiter try Redis again
		if d, err := l.Allow(context.Background(), rule, "203.0.113.7"); err != nil || d.Allowed {
			t.Fatalf("got %+v, %v, want refused from memory", d, err)
		}
	}

	if n := logs.count(downMsg); n != 1 {
		t.Errorf("got %d outage messages, want 1:\n%s", n, logs)
	}
	if n := logs.count("level=WARN"); n != 1 {
		t.Errorf("got %d warnings, want 1:\n%s", n, logs)
	}
	if logs.count(backMsg) != 0 {
		t.Errorf("Redis reported back while down:\n%s", logs)
	}
}

// closedAddr returns a loopback address on which nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestRedisHangs points a Limiter at a server that accepts connections and never answers:
// each decision still comes back within the Limiter's Timeout, and while Redis is down only
// one attempt per RetryInterval waits for it.
func TestRedisHangs(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(io.Discard, c); c.Close() }()
		}
	}()

	client := redis.NewClient(&redis.Options{Addr: ln.Addr().String()})
	defer client.Close()
	logger, logs := newLogger()
	l := ratelimit.NewRedis(client, "fi_test:hang:", logger)
	l.Timeout = 100 * time.Millisecond
	rule := auth.Rule{Name: "login_ip", Limit: 5, Period: time.Hour}

	start := time.Now()
	d, err := l.Allow(context.Background(), rule, "k")
	if elapsed := time.Since(start); err != nil || !d.Allowed || elapsed > time.Second {
		t.Fatalf("first attempt: got %+v, %v after %v, want allowed within 1s", d, err, elapsed)
	}
	start = time.Now()
	for range 4 {
		l.Allow(context.Background(), rule, "k")
	}
	if elapsed := time.Since(start); elapsed > 50*time.Millisecond {
		t.Errorf("4 attempts while down took %v, want no wait for Redis", elapsed)
	}
	if d, _ := l.Allow(context.Background(), rule, "k"); d.Allowed {
		t.Error("6th attempt allowed, want refused by the memory fallback")
	}
	if n := logs.count(downMsg); n != 1 {
		t.Errorf("got %d outage messages, want 1:\n%s", n, logs)
	}
}

// TestRedisRecovers runs Redis behind a proxy that the test stops and starts again: the
// Limiter falls back to memory, logs once, and returns to the shared counts, logging once.
func TestRedisRecovers(t *testing.T) {
	direct, prefix := testenv.Redis(t)
	p := startProxy(t, "127.0.0.1:0", direct.Options().Addr)
	client := redis.NewClient(&redis.Options{Addr: p.addr, DB: direct.Options().DB})
	defer client.Close()
	logger, logs := newLogger()
	l := ratelimit.NewRedis(client, prefix, logger)
	l.RetryInterval = 50 * time.Millisecond
	rule := auth.Rule{Name: "login_ip", Limit: 5, Period: time.Hour}
	ctx := context.Background()

	allowN(t, l, rule, "main", 2) // counted in Redis
	p.Close()
	allowN(t, l, rule, "main", 1) // counted in memory
	if n := logs.count(downMsg); n != 1 {
		t.Fatalf("after the outage: got %d outage messages, want 1:\n%s", n, logs)
	}

	p = startProxy(t, p.addr, direct.Options().Addr)
	defer p.Close()
	deadline := time.Now().Add(5 * time.Second)
	for logs.count(backMsg) == 0 && time.Now().Before(deadline) {
		time.Sleep(60 * time.Millisecond)
		l.Allow(ctx, rule, "probe")
	}
	if n := logs.count(backMsg); n != 1 {
		t.Fatalf("after recovery: got %d recovery messages, want 1:\n%s", n, logs)
	}

	// Redis still holds the 2 attempts from before the outage: 3 more pass.
	allowN(t, l, rule, "main", 3)
	if d, err := l.Allow(ctx, rule, "main"); err != nil || d.Allowed {
		t.Errorf("after 5 attempts in Redis: got %+v, %v, want refused", d, err)
	}
	if n := logs.count(downMsg); n != 1 {
		t.Errorf("got %d outage messages in all, want 1:\n%s", n, logs)
	}
}

func allowN(t *testing.T, l *ratelimit.Limiter, rule auth.Rule, key string, n int) {
	t.Helper()
	for i := range n {
		if d, err := l.Allow(context.Background(), rule, key); err != nil || !d.Allowed {
			t.Fatalf("attempt %d of %d on %q: got %+v, %v, want allowed", i+1, n, key, d, err)
		}
	}
}

// proxy forwards TCP connections from a loopback address to target until closed.
type proxy struct {
	addr   string
	ln     net.Listener
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
	closed atomic.Bool
}

func startProxy(t *testing.T, addr, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("proxy listen on %s: %v", addr, err)
	}
	p := &proxy{addr: ln.Addr().String(), ln: ln, conns: make(map[net.Conn]struct{})}
	p.wg.Go(func() { p.serve(target) })
	return p
}

func (p *proxy) serve(target string) {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", target)
		if err != nil {
			c.Close()
			continue
		}
		if !p.track(c, up) {
			return
		}
		p.wg.Go(func() { io.Copy(up, c); up.Close() })
		p.wg.Go(func() { io.Copy(c, up); c.Close() })
	}
}

// track remembers conns for Close, or closes them when the proxy is already closed.
func (p *proxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		for _, c := range conns {
			c.Close()
		}
		return false
	}
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
	return true
}

// Close stops listening and cuts every forwarded connection.
func (p *proxy) Close() {
	if p.closed.Swap(true) {
		return
	}
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func TestRedisCallerContext(t *testing.T) {
	client, prefix := testenv.Redis(t)
	l := ratelimit.NewRedis(client, prefix, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	rule := auth.Rule{Name: "login_ip", Limit: 5, Period: time.Minute}
	d, err := l.Allow(ctx, rule, "k")
	if !errors.Is(err, context.Canceled) || d.Allowed {
		t.Errorf("got %+v, %v, want context.Canceled and no permission", d, err)
	}
}

func BenchmarkRedis(b *testing.B) {
	client, prefix := testenv.Redis(b)
	l := ratelimit.NewRedis(client, prefix, nil)
	rule := auth.Rule{Name: "bench", Limit: 1_000_000, Period: time.Hour}
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = fmt.Sprintf("198.51.100.%d", i)
	}
	ctx := context.Background()
	b.ResetTimer()

	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			if _, err := l.Allow(ctx, rule, keys[i%int64(len(keys))]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
