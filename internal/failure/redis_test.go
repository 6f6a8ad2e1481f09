package failure_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/finintelli/auth/internal/testenv"
)

// redisDB is the Redis logical database of this package. The servers keep their rate
// limits under the fixed prefix limiterPrefix, so the package uses a database that no other
// package uses and deletes the keys its tests made.
const redisDB = 12

// limiterPrefix starts every key the servers' rate limiter keeps in Redis.
const limiterPrefix = "finintelli:rl:"

// TestRedisOutage: Redis goes away and comes back while two servers share it for their
// rate limits. The shared Redis must not be stopped, so the servers reach it through a
// proxy that the test cuts and restores.
//
// While Redis is away each server counts in its own memory: logins go on (no 5xx), the
// per-address limit still refuses on each server, and nothing is written to Redis. Once
// Redis is back each server returns to it by itself, and attempts spread over both servers
// share one count again.
func TestRedisOutage(t *testing.T) {
	t.Parallel()
	rdb, redisURL := redisDatabase(t)
	proxy := testenv.NewProxy(t, rdb.Options().Addr)
	env := map[string]string{
		"DATABASE_URL":        testenv.Postgres(t),
		"REDIS_URL":           withRedisHost(t, redisURL, proxy.Addr()),
		"TRUSTED_PROXIES":     "127.0.0.1/32",
		"RATE_LIMIT_LOGIN_IP": "5/1m",
	}
	l := &limitProbe{t: t, rdb: rdb, tag: testenv.RandomSuffix()}
	t.Cleanup(l.deleteKeys)
	a, b := startApp(t, env), startApp(t, env)

	owner := l.client(a)
	mustStatus(t, http.StatusCreated)(owner.register("keeper" + l.tag))
	l.checkShared(a, b)

	proxy.Cut()
	for _, base := range []string{a, b} {
		c := l.client(base)
		r := l.want(http.StatusOK)(c.login("keeper"+l.tag, password))
		l.want(http.StatusOK)(c.me(r.accessToken()))
	}
	c := l.client(a)
	for range 5 {
		l.want(http.StatusUnauthorized)(c.login("ghost"+l.tag, "wrong password"))
	}
	l.want(http.StatusTooManyRequests)(c.login("ghost"+l.tag, "wrong password"))
	c.base = b // b's memory has not counted this address
	l.want(http.StatusUnauthorized)(c.login("ghost"+l.tag, "wrong password"))
	if l.inRedis(c.ip) {
		t.Errorf("attempts made while Redis was away were counted in Redis")
	}

	proxy.Restore()
	for _, base := range []string{a, b} {
		waitFor(t, "a server counting in Redis again", func() bool {
			c := l.client(base)
			l.want(http.StatusUnauthorized)(c.login("ghost"+l.tag, "wrong password"))
			return l.inRedis(c.ip)
		})
	}
	l.checkShared(a, b)
}

// limitProbe makes login attempts from addresses of its own and looks at the counts the
// servers keep in Redis.
type limitProbe struct {
	t   *testing.T
	rdb *redis.Client
	tag string // in the usernames of the test, so that its keys can be found
	ips []string
}

// client returns a profile on base with a new client address.
func (l *limitProbe) client(base string) *client {
	c := newClient(base)
	c.ip = randomIP()
	l.ips = append(l.ips, c.ip)
	return c
}

// checkShared makes five failed logins from one address, three on a and two on b, and
// expects the next one to be refused on both: the servers share the count.
func (l *limitProbe) checkShared(a, b string) {
	l.t.Helper()
	c := l.client(a)
	for _, base := range []string{a, a, a, b, b} {
		c.base = base
		l.want(http.StatusUnauthorized)(c.login("ghost"+l.tag, "wrong password"))
	}
	for _, base := range []string{a, b} {
		c.base = base
		l.want(http.StatusTooManyRequests)(c.login("ghost"+l.tag, "wrong password"))
	}
	if !l.inRedis(c.ip) {
		l.t.Errorf("no count for %s in Redis under %s", c.ip, limiterPrefix)
	}
}

// want returns a function that fails the test unless a request got status with a clean
// answer, and returns the reply otherwise.
func (l *limitProbe) want(status int) func(reply, error) reply {
	return func(r reply, err error) reply {
		l.t.Helper()
		if p := r.problem(); err == nil && p != "" {
			l.t.Fatal(p)
		}
		return mustStatus(l.t, status)(r, err)
	}
}

// inRedis reports whether Redis holds the per-address login count of ip.
func (l *limitProbe) inRedis(ip string) bool {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := l.rdb.Exists(ctx, limiterPrefix+"login_ip:"+ip).Result()
	if err != nil {
		l.t.Fatalf("look in Redis: %v", err)
	}
	return n == 1
}

// deleteKeys deletes the keys the test's attempts made: those naming its addresses or its
// usernames.
func (l *limitProbe) deleteKeys() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	patterns := []string{limiterPrefix + "*" + l.tag + "*"}
	for _, ip := range l.ips {
		patterns = append(patterns, limiterPrefix+"*:"+ip, limiterPrefix+"*|"+ip)
	}
	for _, p := range patterns {
		iter := l.rdb.Scan(ctx, 0, p, 100).Iterator()
		for iter.Next(ctx) {
			l.rdb.Del(ctx, iter.Val())
		}
	}
}

// redisDatabase returns a client of this package's Redis database, closed when the test
// ends, and its URL; it skips the test (fails it in CI) when Redis cannot be reached.
func redisDatabase(t *testing.T) (*redis.Client, string) {
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
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		testenv.Unavailable(t, "Redis", err)
	}
	return rdb, u.String()
}

// withRedisHost returns the Redis URL raw pointed at addr instead.
func withRedisHost(t *testing.T, raw, addr string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(fmt.Errorf("parse Redis URL: %w", err))
	}
	u.Host = addr
	return u.String()
}
