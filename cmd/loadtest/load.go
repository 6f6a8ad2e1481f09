package main

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// result is what one load phase measured.
type result struct {
	name      string
	ok        int64 // requests that got the expected answer
	rejected  int64 // requests refused on purpose (503 with Retry-After)
	failed    int64 // anything else
	elapsed   time.Duration
	latencies []time.Duration // of every finished request
}

func (r result) rate() float64 { return float64(r.ok) / r.elapsed.Seconds() }

// percentile returns the p-th percentile (0 < p <= 100) of the latencies.
func (r result) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	l := slices.Clone(r.latencies)
	slices.Sort(l)
	i := int(float64(len(l)-1) * p / 100)
	return l[i]
}

// outcome classifies one request.
type outcome int

const (
	okOutcome outcome = iota
	rejectedOutcome
	failedOutcome
)

// op is one request of a worker; worker is the worker's index.
type op func(ctx context.Context, worker int) outcome

// closedLoop runs workers that each send requests back to back for d.
func closedLoop(name string, workers int, d time.Duration, fn op) result {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()

	var rec recorder
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				t0 := time.Now()
				out := fn(ctx, w)
				if ctx.Err() != nil {
					return
				}
				rec.add(out, time.Since(t0))
			}
		}()
	}
	wg.Wait()
	return rec.result(name, time.Since(start))
}

// openLoop sends requests at a fixed rate for d, whatever the answers' speed, as clients
// that do not wait for each other would. At most maxInFlight requests are outstanding.
func openLoop(name string, rate float64, d time.Duration, maxInFlight int, fn op) result {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()

	var rec recorder
	var wg sync.WaitGroup
	slots := make(chan struct{}, maxInFlight)
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	start := time.Now()
	var n atomic.Int64
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-tick.C:
		}
		select {
		case slots <- struct{}{}:
		default:
			rec.add(failedOutcome, 0) // the client could not even send: count as failed
			continue
		}
		wg.Add(1)
		w := int(n.Add(1))
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			t0 := time.Now()
			out := fn(context.Background(), w)
			rec.add(out, time.Since(t0))
		}()
	}
	wg.Wait()
	return rec.result(name, time.Since(start))
}

// recorder collects outcomes from many goroutines.
type recorder struct {
	mu        sync.Mutex
	ok, rej   int64
	failed    int64
	latencies []time.Duration
}

func (r *recorder) add(o outcome, lat time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch o {
	case okOutcome:
		r.ok++
	case rejectedOutcome:
		r.rej++
	default:
		r.failed++
	}
	if lat > 0 {
		r.latencies = append(r.latencies, lat)
	}
}

func (r *recorder) result(name string, elapsed time.Duration) result {
	r.mu.Lock()
	defer r.mu.Unlock()
	return result{name: name, ok: r.ok, rejected: r.rej, failed: r.failed, elapsed: elapsed,
		latencies: r.latencies}
}
