package auth_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/password"
	"github.com/finintelli/auth/internal/store/sqlite"
	"github.com/finintelli/auth/internal/token"
)

// recorder is an auth.Observer that remembers every call as "method outcome".
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) add(call string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call)
}

func (r *recorder) Login(outcome string)    { r.add("login " + outcome) }
func (r *recorder) Refresh(outcome string)  { r.add("refresh " + outcome) }
func (r *recorder) RateLimited(rule string) { r.add("limited " + rule) }

// take returns the calls so far and forgets them.
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.calls
	r.calls = nil
	return out
}

// refuseRule is a limiter that refuses every attempt under the rule it names.
type refuseRule string

func (r refuseRule) Allow(_ context.Context, rule auth.Rule, _ string) (auth.Decision, error) {
	return auth.Decision{Allowed: rule.Name != string(r), RetryAfter: time.Minute}, nil
}

// TestObserver takes one account through every outcome of Login and Refresh and checks
// what the observer was told after each step.
func TestObserver(t *testing.T) {
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })

	var mu sync.Mutex
	clock := time.Now().UTC()
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	secret := []byte("observer-test-secret-0123456789abcdef-012345")
	issuer, err := token.NewIssuer(token.Config{Alg: "HS256", Secret: secret,
		Issuer: "finintelli", TTL: 15 * time.Minute, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	limits := auth.Limits{LoginIP: auth.Rule{Name: "login_ip", Limit: 100, Period: time.Hour}}
	newService := func(limiter auth.Limiter) *auth.Service {
		return auth.NewService(auth.Deps{Store: store,
			Passwords:    password.New(password.Config{Cost: 4}),
			AccessTokens: issuer, RefreshTokens: token.NewRefresher(secret),
			Limiter: limiter, Observer: rec, Now: now,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		}, auth.Config{ReuseGrace: 10 * time.Second, Limits: limits})
	}
	svc := newService(nil)
	ctx, client := t.Context(), auth.Client{IP: "192.0.2.1"}
	const pass = "observer horse battery staple 7"

	if _, err := svc.Register(ctx, auth.RegisterInput{Username: "watched",
		Email: "watched@example.com", Password: pass}, client); err != nil {
		t.Fatalf("Register: %v", err)
	}
	var first, second auth.Grant
	steps := []struct {
		name string
		do   func()
		want []string
	}{
		{"wrong password", func() { _, _ = svc.Login(ctx, "watched", "nope", client) },
			[]string{"login invalid_credentials"}},
		{"unknown user", func() { _, _ = svc.Login(ctx, "nobody", pass, client) },
			[]string{"login invalid_credentials"}},
		{"no password", func() { _, _ = svc.Login(ctx, "watched", "", client) },
			[]string{"login invalid_request"}},
		{"login", func() { first, _ = svc.Login(ctx, "watched", pass, client) },
			[]string{"login success"}},
		{"rotate", func() { second, _ = svc.Refresh(ctx, first.RefreshToken, client) },
			[]string{"refresh rotated"}},
		{"retry within grace",
			func() { _, _ = svc.Refresh(ctx, first.RefreshToken, client) },
			[]string{"refresh grace_hit"}},
		{"replay after grace", func() {
			mu.Lock()
			clock = clock.Add(time.Minute)
			mu.Unlock()
			_, _ = svc.Refresh(ctx, first.RefreshToken, client)
		}, []string{"refresh replay"}},
		{"revoked session",
			func() { _, _ = svc.Refresh(ctx, second.RefreshToken, client) },
			[]string{"refresh rejected"}},
		{"malformed token", func() { _, _ = svc.Refresh(ctx, "garbage", client) },
			[]string{"refresh rejected"}},
		{"rate limited", func() {
			_, _ = newService(refuseRule("login_ip")).Login(ctx, "watched", pass, client)
		}, []string{"limited login_ip", "login rate_limited"}},
	}
	for _, st := range steps {
		st.do()
		if got := rec.take(); !slices.Equal(got, st.want) {
			t.Errorf("%s: got %q, want %q", st.name, got, st.want)
		}
	}
}
