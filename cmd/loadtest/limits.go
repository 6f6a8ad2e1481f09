package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/bcrypt"
)

// bcryptLimit measures bcrypt compares per second at cost on all cores.
func bcryptLimit(cost int, d time.Duration) (result, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte("limit-password"), cost)
	if err != nil {
		return result{}, err
	}
	r := closedLoop("bcrypt compares", runtime.NumCPU(), d, func(context.Context, int) outcome {
		if bcrypt.CompareHashAndPassword(hash, []byte("limit-password")) != nil {
			return failedOutcome
		}
		return okOutcome
	})
	return r, nil
}

// handlerLimit measures requests per second of a minimal net/http handler on loopback,
// through the same client as the server's figures.
func handlerLimit(workers int, d time.Duration, transport http.RoundTripper) (result, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	c := &client{base: "http://" + ln.Addr().String(), http: &http.Client{Transport: transport}}
	return closedLoop("minimal handler", workers, d, func(ctx context.Context, _ int) outcome {
		return expect(http.StatusOK)(c.do(ctx, "GET", "/", "", nil))
	}), nil
}

// rotationLimit measures transactions per second of the raw SQL one refresh-token rotation
// runs, on the same database, each worker rotating its own chain.
func rotationLimit(databaseURL string, workers int, d time.Duration) (result, error) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, databaseURL)
	if err != nil {
		return result{}, err
	}
	defer pool.Close()

	heads := make([]string, workers)
	for w := range workers {
		if heads[w], err = seedChain(ctx, pool, w); err != nil {
			return result{}, err
		}
	}
	r := closedLoop("raw rotation SQL", workers, d, func(ctx context.Context, w int) outcome {
		next, err := rotate(ctx, pool, heads[w])
		if err != nil {
			return failedOutcome
		}
		heads[w] = next
		return okOutcome
	})
	return r, nil
}

func randomHex() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// seedChain creates a user, a session and a first token for raw rotations.
func seedChain(ctx context.Context, pool *pgxpool.Pool, w int) (string, error) {
	name := fmt.Sprintf("rawrot_%d_%s", w, randomHex()[:8])
	var uid int64
	err := pool.QueryRow(ctx, `INSERT INTO users (username, email, username_key, email_key,
		hashed_password) VALUES ($1, $2, $3, $4, 'x') RETURNING id`, name, name+"@raw.test",
		name, name+"@raw.test").
		Scan(&uid)
	if err != nil {
		return "", fmt.Errorf("seed user: %w", err)
	}
	sid := randomHex()[:36]
	if _, err := pool.Exec(ctx, `INSERT INTO sessions (id, user_id, created_at, last_used_at)
		VALUES ($1, $2, now(), now())`, sid, uid); err != nil {
		return "", fmt.Errorf("seed session: %w", err)
	}
	head := randomHex()
	_, err = pool.Exec(ctx, `INSERT INTO refresh_tokens (user_id, session_id, token_hash,
		expires_at, created_at) VALUES ($1, $2, $3, now() + interval '1 day', now())`,
		uid, sid, head)
	return head, err
}

// rotate runs the statements of one rotation in one transaction, as the server does:
// lock the token, read its session and user, mark it replaced, insert its successor,
// touch the session and log the event.
func rotate(ctx context.Context, pool *pgxpool.Pool, hash string) (string, error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback(ctx)

	var id, uid int64
	var sid string
	if err := tx.QueryRow(ctx, `SELECT id, user_id, session_id FROM refresh_tokens
		WHERE token_hash = $1 FOR UPDATE`, hash).Scan(&id, &uid, &sid); err != nil {
		return "", err
	}
	var revoked *time.Time
	if err := tx.QueryRow(ctx, `SELECT revoked_at FROM sessions WHERE id = $1`, sid).
		Scan(&revoked); err != nil {
		return "", err
	}
	var active bool
	if err := tx.QueryRow(ctx, `SELECT is_active FROM users WHERE id = $1`, uid).
		Scan(&active); err != nil {
		return "", err
	}
	next := randomHex()
	batch := []struct {
		sql  string
		args []any
	}{
		{`UPDATE refresh_tokens SET replaced_at = now() WHERE id = $1`, []any{id}},
		{`INSERT INTO refresh_tokens (user_id, session_id, parent_id, token_hash, expires_at,
			created_at) VALUES ($1, $2, $3, $4, now() + interval '1 day', now())`,
			[]any{uid, sid, id, next}},
		{`UPDATE sessions SET last_used_at = now() WHERE id = $1`, []any{sid}},
		{`INSERT INTO user_activity_logs (user_id, event_type, created_at)
			VALUES ($1, 'refresh', now())`, []any{uid}},
	}
	for _, q := range batch {
		if _, err := tx.Exec(ctx, q.sql, q.args...); err != nil {
			return "", err
		}
	}
	return next, tx.Commit(ctx)
}
