// Package testenv gives tests their own PostgreSQL database and Redis key prefix on the
// machine's shared services, so that test packages can run in parallel without seeing each
// other's rows or keys.
//
// TEST_DATABASE_URL points at a PostgreSQL database that may create databases (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable); TEST_REDIS_URL points at Redis
// (default redis://127.0.0.1:6379/0). When a service cannot be reached the test is skipped,
// unless CI=true, when it fails: a missing service never passes unseen in CI.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// Default addresses of the machine's services.
const (
	DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	DefaultRedisURL    = "redis://127.0.0.1:6379/0"
)

// InCI reports whether the tests run in CI, where a missing service is a failure.
func InCI() bool { return os.Getenv("CI") == "true" }

// Unavailable skips the test outside CI and fails it in CI, saying which service is missing.
func Unavailable(tb testing.TB, service string, err error) {
	tb.Helper()
	if InCI() {
		tb.Fatalf("%s is required in CI but cannot be reached: %v", service, err)
	}
	tb.Skipf("skipping: %s cannot be reached (set CI=true to make this a failure): %v",
		service, err)
}

// DatabaseURL returns the administrative PostgreSQL URL the tests use.
func DatabaseURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultDatabaseURL
}

// RedisURL returns the Redis URL the tests use.
func RedisURL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return DefaultRedisURL
}

// Postgres creates an empty database for the calling test, drops it when the test ends, and
// returns its URL.
func Postgres(tb testing.TB) string {
	tb.Helper()
	admin := DatabaseURL()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		Unavailable(tb, "PostgreSQL", err)
	}
	defer conn.Close(context.Background())

	name := "fi_test_" + RandomSuffix()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() { dropDatabase(tb, admin, name) })

	u, err := url.Parse(admin)
	if err != nil {
		tb.Fatalf("parse TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func dropDatabase(tb testing.TB, admin, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		tb.Logf("drop test database %s: %v", name, err)
		return
	}
	defer conn.Close(context.Background())

	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		tb.Logf("drop test database %s: %v", name, err)
	}
}

// Redis returns a client of the test Redis and a key prefix of the calling test's own; keys
// under the prefix are deleted when the test ends.
func Redis(tb testing.TB) (*redis.Client, string) {
	tb.Helper()
	opts, err := redis.ParseURL(RedisURL())
	if err != nil {
		tb.Fatalf("parse TEST_REDIS_URL: %v", err)
	}
	client := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		Unavailable(tb, "Redis", err)
	}

	prefix := "fi_test:" + RandomSuffix() + ":"
	tb.Cleanup(func() {
		deleteKeys(client, prefix)
		client.Close()
	})
	return client, prefix
}

func deleteKeys(client *redis.Client, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	iter := client.Scan(ctx, 0, prefix+"*", 100).Iterator()
	for iter.Next(ctx) {
		client.Del(ctx, iter.Val())
	}
}

// RandomSuffix returns 12 random lower-case hex characters for unique names.
func RandomSuffix() string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("testenv: crypto/rand: %v", err))
	}
	return strings.ToLower(hex.EncodeToString(b))
}
