package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/password"
)

// maxFloodLogins bounds the logins of one flooding client, so that a slow bystander check
// cannot make the flood run away.
const maxFloodLogins = 25

// floodAnswer is what one login of a flood got back.
type floodAnswer struct {
	status     int
	retryAfter string
	body       string
	err        error
}

// TestHashingOverload floods the logins of one account at a hasher that runs one bcrypt at a
// time and queues one more. The surplus must be refused with 503 and Retry-After, never with
// a 500; and meanwhile another session must still refresh and reach the API, since neither
// needs the hasher.
func TestHashingOverload(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{
			passwords: &password.Config{Cost: 10, MaxConcurrent: 1, MaxQueue: 1}})
		bystander := e.browserAt("198.51.100.20")
		r := bystander.register("calm", "calm@example.com", strongPassword)
		wantStatus(t, r, http.StatusCreated)
		first := accessToken(t, r)
		wantStatus(t, e.browserAt("198.51.100.21").register("crowded", "crowded@example.com",
			strongPassword), http.StatusCreated)

		stop := make(chan struct{})
		halt := sync.OnceFunc(func() { close(stop) })
		var answers floodAnswers
		var wg sync.WaitGroup
		t.Cleanup(func() { halt(); wg.Wait() }) // also when a check below fails
		for range 20 {
			b := e.browserAt("203.0.113.70")
			tok := b.csrf()
			wg.Go(func() { floodLogins(b, tok, stop, &answers) })
		}

		busy := false
		for range 5 {
			busy = busy || e.svc.Passwords.Stats().Running > 0
			r := bystander.post("/auth/refresh", "", "")
			wantStatus(t, r, http.StatusOK)
			wantStatus(t, bystander.me(accessToken(t, r)), http.StatusOK)
			wantStatus(t, bystander.me(first), http.StatusOK)
		}
		halt()
		wg.Wait()

		if !busy {
			t.Fatal("the hasher was idle whenever the bystander was checked: no overlap shown")
		}
		checkFlood(t, answers.list)
	})
}

// floodAnswers collects the answers of a flood from many goroutines.
type floodAnswers struct {
	mu   sync.Mutex
	list []floodAnswer
}

func (f *floodAnswers) add(a floodAnswer) {
	f.mu.Lock()
	f.list = append(f.list, a)
	f.mu.Unlock()
}

// floodLogins logs in as "crowded" until stop is closed, at most maxFloodLogins times.
func floodLogins(b *browser, csrfToken string, stop <-chan struct{}, out *floodAnswers) {
	body := `{"username":"crowded","password":"` + strongPassword + `"}`
	for range maxFloodLogins {
		select {
		case <-stop:
			return
		default:
		}
		req, err := http.NewRequest("POST", b.env.srv.URL+"/auth/login",
			strings.NewReader(body))
		if err != nil {
			out.add(floodAnswer{err: err})
			return
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", csrfToken)
		req.Header.Set("X-Forwarded-For", b.ip)
		out.add(sendFlood(b.http, req))
	}
}

func sendFlood(c *http.Client, req *http.Request) floodAnswer {
	resp, err := c.Do(req)
	if err != nil {
		return floodAnswer{err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return floodAnswer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"),
		body: string(data), err: err}
}

// checkFlood wants every answer to be a 200 or a well-formed 503, and at least one 503.
func checkFlood(t *testing.T, answers []floodAnswer) {
	t.Helper()
	counts := map[int]int{}
	for _, a := range answers {
		if a.err != nil {
			t.Fatalf("flood login: %v", a.err)
		}
		counts[a.status]++
		switch a.status {
		case http.StatusOK:
		case http.StatusServiceUnavailable:
			if secs, err := strconv.Atoi(a.retryAfter); err != nil || secs < 1 {
				t.Errorf("503 Retry-After: got %q, want whole seconds >= 1", a.retryAfter)
			}
			var v struct{ Detail string }
			if err := json.Unmarshal([]byte(a.body), &v); err != nil || v.Detail == "" {
				t.Errorf("503 body: got %s, want a JSON detail", a.body)
			}
		default:
			t.Errorf("flood login: got %d, want 200 or 503; body %s", a.status, a.body)
		}
	}
	t.Logf("flood answers by status: %v", counts)
	if counts[http.StatusServiceUnavailable] == 0 {
		t.Fatalf("got no 503 among %v: the hasher was never saturated", counts)
	}
}
