// Command loadtest measures the server on loopback against the machine's own limits.
//
// It starts finintelli on PostgreSQL, measures logins/s, refreshes/s and /api/me requests/s
// with p50/p99 latency, an overload at four times the sustainable login rate, and the
// server's peak RSS under 256 connections; then, in the same run, the limits those figures
// are compared with: bcrypt compares/s on all cores, requests/s of a minimal net/http
// handler, and transactions/s of the raw SQL of one rotation. Use a scratch database: it
// writes users, sessions and tokens into it.
//
//	go run ./cmd/loadtest -database-url postgres://postgres@127.0.0.1:5432/loadtest
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"
)

func main() {
	dbURL := flag.String("database-url", os.Getenv("LOADTEST_DATABASE_URL"),
		"PostgreSQL database to run the server on (a scratch database)")
	bin := flag.String("bin", "", "server binary to run (default: build ./cmd/finintelli)")
	d := flag.Duration("duration", 10*time.Second, "length of each measurement")
	workers := flag.Int("workers", 32, "concurrent clients in the closed-loop phases")
	cost := flag.Int("cost", 12, "BCRYPT_COST of the server")
	conns := flag.Int("conns", 256, "connections held open for the memory figure")
	flag.Parse()
	if *dbURL == "" {
		fmt.Fprintln(os.Stderr, "loadtest: -database-url is required")
		os.Exit(2)
	}
	if err := run(*dbURL, *bin, *d, *workers, *cost, *conns); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(dbURL, bin string, d time.Duration, workers, cost, conns int) error {
	logFile, err := os.CreateTemp("", "finintelli-loadtest-*.log")
	if err != nil {
		return err
	}
	defer logFile.Close()
	srv, err := startServer(bin, dbURL, cost, 64, logFile)
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Printf("server %s on PostgreSQL, bcrypt cost %d, %d workers, %s per phase; log %s\n",
		srv.base, cost, workers, d, logFile.Name())

	transport := &http.Transport{MaxIdleConns: conns + workers, MaxIdleConnsPerHost: conns +
		workers, IdleConnTimeout: time.Minute}
	clients, err := setup(srv.base, workers, transport)
	if err != nil {
		return err
	}

	login := closedLoop("logins", workers, d, func(ctx context.Context, w int) outcome {
		return expect(http.StatusOK)(clients[w].login(ctx, userName(w), loadPassword))
	})
	refresh := closedLoop("refreshes", workers, d, func(ctx context.Context, w int) outcome {
		return expect(http.StatusOK)(clients[w].refresh(ctx))
	})
	me := closedLoop("/api/me", workers, d, func(ctx context.Context, w int) outcome {
		return expect(http.StatusOK)(clients[w].me(ctx))
	})
	over := openLoop("logins at 4x", 4*max(login.rate(), 1), d, 4096,
		func(ctx context.Context, w int) outcome {
			c := clients[w%workers]
			return expect(http.StatusOK)(c.login(ctx, userName(w%workers), loadPassword))
		})
	many := closedLoop("/api/me, many conns", conns, d, func(ctx context.Context, w int) outcome {
		return expect(http.StatusOK)(clients[w%workers].me(ctx))
	})
	rss, err := srv.peakRSS()
	if err != nil {
		return err
	}

	bc, err := bcryptLimit(cost, d)
	if err != nil {
		return err
	}
	minimal, err := handlerLimit(workers, d, transport)
	if err != nil {
		return err
	}
	raw, err := rotationLimit(dbURL, workers, d)
	if err != nil {
		return err
	}

	report(login, refresh, me, over, many, bc, minimal, raw, rss, conns)
	return nil
}

// loadPassword is the password of every load-test user.
const loadPassword = "load-test-password-not-common-7"

func userName(w int) string { return fmt.Sprintf("load%d_%d", os.Getpid(), w) }

// setup registers one user per worker, each with its own cookie jar.
func setup(base string, workers int, transport http.RoundTripper) ([]*client, error) {
	clients := make([]*client, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := newClient(base, transport)
			if err != nil {
				errs[w] = err
				return
			}
			status, err := c.register(context.Background(), userName(w), loadPassword)
			for tries := 0; err == nil && status == http.StatusServiceUnavailable &&
				tries < 100; tries++ {
				time.Sleep(200 * time.Millisecond) // the server's hashing queue is full
				status, err = c.register(context.Background(), userName(w), loadPassword)
			}
			if err == nil && status != http.StatusCreated {
				err = fmt.Errorf("register %s: status %d", userName(w), status)
			}
			clients[w], errs[w] = c, err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return clients, nil
}

func report(login, refresh, me, over, many, bc, minimal, raw result, rss int64, conns int) {
	fmt.Println()
	fmt.Printf("%-22s %10s %9s %9s %8s %8s\n", "phase", "ok/s", "p50", "p99", "503s", "errors")
	for _, r := range []result{login, refresh, me, over, many, bc, minimal, raw} {
		fmt.Printf("%-22s %10.1f %9s %9s %8d %8d\n", r.name, r.rate(),
			r.percentile(50).Round(10*time.Microsecond),
			r.percentile(99).Round(10*time.Microsecond), r.rejected, r.failed)
	}

	fmt.Println()
	fmt.Printf("%-42s %8s %8s\n", "figure against its limit", "ratio", "target")
	ratio("logins/s ÷ bcrypt compares/s", login.rate(), bc.rate(), 0.90)
	ratio("refreshes/s ÷ raw rotation tx/s", refresh.rate(), raw.rate(), 0.60)
	ratio("/api/me/s ÷ minimal handler req/s", me.rate(), minimal.rate(), 0.50)
	fmt.Printf("%-42s %8s\n", "overload p99 ÷ steady login p99",
		fmt.Sprintf("%.2f", float64(over.percentile(99))/float64(max(login.percentile(99), 1))))
	fmt.Printf("%-42s %7.1fM %7s\n", fmt.Sprintf("peak RSS with %d connections", conns),
		float64(rss)/(1<<20), "<60M")
}

func ratio(name string, got, limit, target float64) {
	r := got / max(limit, 1e-9)
	mark := "ok"
	if r < target {
		mark = "MISSED"
	}
	fmt.Printf("%-42s %8.2f %7.0f%% %s\n", name, r, target*100, mark)
}
