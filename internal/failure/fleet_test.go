package failure_test

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fleet is a set of clients that refresh their sessions in a loop, call /api/me and, when
// logins is set, now and then log in on a fresh profile, while a test breaks something the
// server depends on. Every profile that ever got a session is kept as a holder of that
// session; the test expects each to keep it.
type fleet struct {
	t       *testing.T
	workers []*worker
	logins  bool

	// db, when set, is the server's database opened directly; after a refresh failed the
	// worker looks there to learn whether the rotation was committed all the same.
	db *sql.DB

	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup

	mu      sync.Mutex
	holders []*client
	tally   map[string]int  // outcome, such as "POST /auth/refresh 503", to count
	lost    map[string]bool // tokens whose rotation was committed but never answered
}

// worker is one client of a fleet.
type worker struct {
	*client
	user   string
	access string       // the latest access token
	ok     atomic.Int64 // successful refreshes
}

// newFleet registers n accounts, each on a profile of its own that keeps the session, and
// logs each in on the profile of its worker.
func newFleet(t *testing.T, base string, n int) *fleet {
	t.Helper()
	f := &fleet{t: t, stop: make(chan struct{}), tally: map[string]int{},
		lost: map[string]bool{}}
	for i := range n {
		user := fmt.Sprintf("member%d", i)
		reg := newClient(base)
		mustStatus(t, http.StatusCreated)(reg.register(user))

		w := &worker{client: newClient(base), user: user}
		w.access = mustStatus(t, http.StatusOK)(w.login(user, password)).accessToken()
		f.workers = append(f.workers, w)
		f.holders = append(f.holders, reg, w.client)
	}
	t.Cleanup(f.halt)
	return f
}

// start sets the workers going.
func (f *fleet) start() {
	for _, w := range f.workers {
		f.wg.Add(1)
		go f.run(w)
	}
}

// halt stops the workers and waits for them. The test's cleanup calls it too, so that no
// worker outlives a test that failed early.
func (f *fleet) halt() {
	f.stopOnce.Do(func() { close(f.stop) })
	f.wg.Wait()
}

// refreshed returns how many refreshes each worker has had answered with 200.
func (f *fleet) refreshed() []int64 {
	n := make([]int64, len(f.workers))
	for i, w := range f.workers {
		n[i] = w.ok.Load()
	}
	return n
}

// awaitRefreshes waits until every worker has had at least more successful refreshes on
// top of its count in since (taken with refreshed).
func (f *fleet) awaitRefreshes(since []int64, more int64) {
	f.t.Helper()
	waitFor(f.t, "every client refreshing", func() bool {
		for i, w := range f.workers {
			if w.ok.Load() < since[i]+more {
				return false
			}
		}
		return true
	})
}

func (f *fleet) run(w *worker) {
	defer f.wg.Done()
	for i := 0; ; i++ {
		select {
		case <-f.stop:
			return
		default:
		}
		if !f.step(w, i) {
			return
		}
	}
}

// step makes one round of requests. It returns false, having failed the test, when an
// answer shows a broken session or a dirty failure.
func (f *fleet) step(w *worker, i int) bool {
	if !f.refresh(w) {
		return false
	}
	if i%4 == 3 && w.access != "" {
		r, err := w.me(w.access)
		if !f.accept(r, err, http.StatusOK, http.StatusServiceUnavailable) {
			return false
		}
	}
	if f.logins && i%8 == 7 {
		side := newClient(w.base)
		r, err := side.login(w.user, password)
		if !f.accept(r, err, http.StatusOK, http.StatusServiceUnavailable) {
			return false
		}
		if err == nil && r.status == http.StatusOK {
			f.hold(side)
		}
	}
	return true
}

// refresh rotates the worker's token. A refresh that fails (an outage answer or no answer)
// leaves the old token in the jar, and the next one retries it: if the failed rotation was
// committed all the same, only the reuse grace window keeps the session alive.
func (f *fleet) refresh(w *worker) bool {
	sent := w.refreshToken()
	r, err := w.refresh()
	if !f.accept(r, err, http.StatusOK, http.StatusServiceUnavailable) {
		return false
	}

	if err == nil && r.status == http.StatusOK {
		if got, want := w.refreshToken(), refresher.Successor(sent); got != want {
			f.t.Errorf("refresh of %s: got a token off its chain (%.8s…, want %.8s…)",
				w.user, got, want)
			return false
		}
		w.access = r.accessToken()
		w.ok.Add(1)
		return true
	}

	f.checkLost(sent)
	time.Sleep(50 * time.Millisecond) // a client backing off; Retry-After would say 5 s
	return true
}

// checkLost counts the failed refresh of raw as a lost answer when the database shows its
// rotation committed.
func (f *fleet) checkLost(raw string) {
	if f.db == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var replaced bool
	err := f.db.QueryRowContext(ctx,
		"SELECT replaced_at IS NOT NULL FROM refresh_tokens WHERE token_hash = $1",
		refresher.Hash(raw)).Scan(&replaced)
	if err != nil {
		f.t.Errorf("look up a refresh token: %v", err)
		return
	}
	if replaced {
		f.mu.Lock()
		f.lost[raw] = true // the same token may fail again before its retry succeeds
		f.mu.Unlock()
	}
}

// accept counts the outcome of a request and reports whether it is one of the statuses
// allowed and a clean answer; a transport error is counted and allowed.
func (f *fleet) accept(r reply, err error, allowed ...int) bool {
	f.mu.Lock()
	if err != nil {
		f.tally["transport error"]++
	} else {
		f.tally[fmt.Sprintf("%s %d", r.what, r.status)]++
	}
	f.mu.Unlock()

	switch {
	case err != nil:
		return true
	case r.problem() != "":
		f.t.Error(r.problem())
		return false
	case !slices.Contains(allowed, r.status):
		f.t.Errorf("%s: got status %d, want one of %v; body %s", r.what, r.status, allowed,
			r.body)
		return false
	}
	return true
}

func (f *fleet) hold(c *client) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.holders = append(f.holders, c)
}

// count returns how many requests had the outcome key.
func (f *fleet) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tally[key]
}

// moveTo points every profile at a server on a new URL.
func (f *fleet) moveTo(base string) {
	for _, c := range f.holders {
		c.base = base
	}
}

// checkAlive fails the test for every session that its holder cannot refresh any more, or
// whose new access token /api/me refuses. Call it after halt.
func (f *fleet) checkAlive() {
	f.t.Helper()
	for i, c := range f.holders {
		r, err := c.refresh()
		if err != nil || r.status != http.StatusOK {
			f.t.Errorf("session %d of %d: refresh got %v, want 200 (%v)", i+1,
				len(f.holders), statusOf(r, err), string(r.body))
			continue
		}
		r, err = c.me(r.accessToken())
		if err != nil || r.status != http.StatusOK {
			f.t.Errorf("session %d: /api/me got %v, want 200", i+1, statusOf(r, err))
		}
	}
}

// report logs what the clients saw.
func (f *fleet) report() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range slices.Sorted(maps.Keys(f.tally)) {
		f.t.Logf("%6d × %s", f.tally[k], k)
	}
	f.t.Logf("%d sessions held; %d rotation(s) committed with the answer lost, each "+
		"recovered by a retry within the grace window", len(f.holders), len(f.lost))
}

// mustStatus returns a function that fails the test unless a request got status, and that
// returns the reply otherwise. Use it in the test's goroutine only.
func mustStatus(t *testing.T, status int) func(reply, error) reply {
	return func(r reply, err error) reply {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if r.status != status {
			t.Fatalf("%s: got status %d, want %d; body %s", r.what, r.status, status, r.body)
		}
		return r
	}
}

// statusOf is the status of a reply for messages, or the transport error.
func statusOf(r reply, err error) any {
	if err != nil {
		return err
	}
	return r.status
}

// waitFor polls cond until it holds, failing the test after a generous deadline. Nothing
// in this package asserts how fast anything happens.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if t.Failed() {
			t.FailNow() // a client goroutine failed the test: waiting longer shows nothing
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 30s for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
