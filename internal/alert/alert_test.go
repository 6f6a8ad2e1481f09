package alert_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/alert"
	"github.com/finintelli/auth/internal/auth"
)

// secret values planted in an event, which no alert may carry.
const (
	webhookToken = "T0KEN-in-the-webhook-path"
	sessionID    = "session-id-not-for-alerts"
	attempted    = "hunter2-typed-as-a-username"
)

// event returns a high-risk login of user 42 with secrets in its extra info.
func event() auth.Activity {
	uid := int64(42)
	return auth.Activity{
		UserID: &uid, EventType: auth.EventLoginSuccess, RiskScore: 0.92,
		CreatedAt: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		Client: auth.Client{IP: "203.0.113.9", UserAgent: "Mozilla/5.0",
			DeviceInfo: "Firefox on Linux (desktop)", City: "Sydney", Country: "AU"},
		ExtraInfo: map[string]any{
			"session_id":         sessionID,
			"attempted_username": attempted,
			"reasons": []auth.Reason{
				{Signal: auth.SignalNewCountry, Contribution: 0.4, Detail: "first login from AU"},
				{Signal: auth.SignalImpossibleTravel, Contribution: 0.8, Detail: "far"},
			},
		},
	}
}

// logBuffer collects log output from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newSink returns a Sink posting to url+"/hook/"+webhookToken with fast retries, and its
// log.
func newSink(t *testing.T, url string, opts alert.Options) (*alert.Sink, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	opts.URL = url + "/hook/" + webhookToken
	opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{
		Level: slog.LevelDebug}))
	if opts.Backoff == 0 {
		opts.Backoff = 5 * time.Millisecond
	}
	if opts.MaxAttempts == 0 {
		opts.MaxAttempts = 3
	}
	s, err := alert.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s, logs
}

// closeWithin closes s and fails the test unless it returns in time.
func closeWithin(t *testing.T, s *alert.Sink, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// alertFast calls Alert and fails the test if it took long enough to be blocking.
func alertFast(t *testing.T, s *alert.Sink, a auth.Activity) {
	t.Helper()
	start := time.Now()
	s.Alert(a)
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Errorf("Alert took %v; it must not block", d)
	}
}

// wantStats compares every count.
func wantStats(t *testing.T, s *alert.Sink, want alert.Stats) {
	t.Helper()
	if got := s.Stats(); got != want {
		t.Errorf("Stats: got %+v, want %+v", got, want)
	}
}

func TestDelivered(t *testing.T) {
	var mu sync.Mutex
	var bodies [][]byte
	var contentType, path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		contentType, path = r.Header.Get("Content-Type"), r.URL.Path
		mu.Unlock()
	}))
	defer srv.Close()

	s, _ := newSink(t, srv.URL, alert.Options{})
	alertFast(t, s, event())
	closeWithin(t, s, 5*time.Second)

	wantStats(t, s, alert.Stats{Queued: 1, Sent: 1})
	if len(bodies) != 1 {
		t.Fatalf("got %d requests, want 1", len(bodies))
	}
	if contentType != "application/json" || path != "/hook/"+webhookToken {
		t.Errorf("got Content-Type %q at %q, want application/json at the webhook path",
			contentType, path)
	}
	var got map[string]any
	if err := json.Unmarshal(bodies[0], &got); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, bodies[0])
	}
	want := map[string]any{"event": "login_success", "risk_score": 0.92, "user_id": 42.0,
		"ip_address": "203.0.113.9", "country": "AU", "city": "Sydney",
		"device_info": "Firefox on Linux (desktop)", "occurred_at": "2030-01-02T03:04:05Z"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("payload %s: got %v, want %v", k, got[k], v)
		}
	}
	if reasons, _ := got["reasons"].([]any); len(reasons) != 2 {
		t.Errorf("payload reasons: got %v, want the 2 reasons", got["reasons"])
	}
	text, _ := got["text"].(string)
	if !strings.Contains(text, "user 42") || !strings.Contains(text, "impossible_travel") {
		t.Errorf("payload text: got %q, want the user and the signals", text)
	}
	for _, secret := range []string{sessionID, attempted, "Mozilla", webhookToken} {
		if bytes.Contains(bodies[0], []byte(secret)) {
			t.Errorf("payload carries %q:\n%s", secret, bodies[0])
		}
	}
}

func TestRetriesAfterServerError(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "try later", http.StatusInternalServerError)
		}
	}))
	defer srv.Close()

	s, _ := newSink(t, srv.URL, alert.Options{})
	alertFast(t, s, event())
	closeWithin(t, s, 5*time.Second)

	if got := calls.Load(); got != 2 {
		t.Errorf("got %d requests, want 2 (500, then 200)", got)
	}
	wantStats(t, s, alert.Stats{Queued: 1, Sent: 1, Retries: 1})
}

func TestReceiverDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more

	s, logs := newSink(t, url, alert.Options{MaxAttempts: 3})
	alertFast(t, s, event())
	alertFast(t, s, event())
	closeWithin(t, s, 5*time.Second)

	wantStats(t, s, alert.Stats{Queued: 2, Failed: 2, Retries: 4})
	out := logs.String()
	if !strings.Contains(out, "alert not delivered") {
		t.Errorf("log: got %q, want an 'alert not delivered' line", out)
	}
	if strings.Contains(out, webhookToken) {
		t.Errorf("log shows the webhook path and its token:\n%s", out)
	}
}

func TestClientErrorNotRetried(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "bad", http.StatusBadRequest)
	}))
	defer srv.Close()

	s, _ := newSink(t, srv.URL, alert.Options{})
	s.Alert(event())
	closeWithin(t, s, 5*time.Second)

	if got := calls.Load(); got != 1 {
		t.Errorf("got %d requests, want 1", got)
	}
	wantStats(t, s, alert.Stats{Queued: 1, Failed: 1})
}

// TestQueueFull holds the first alert at the receiver, fills the queue, and checks that
// the alerts beyond it are dropped at once and the queued ones delivered afterwards.
func TestQueueFull(t *testing.T) {
	arrived := make(chan struct{}, 10)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
	}))
	defer srv.Close()
	defer close(release)

	s, logs := newSink(t, srv.URL, alert.Options{QueueSize: 2})
	alertFast(t, s, event())
	<-arrived // the worker holds the first alert
	for range 5 {
		alertFast(t, s, event())
	}
	wantStats(t, s, alert.Stats{Queued: 3, Dropped: 3})
	if n := strings.Count(logs.String(), "alert dropped"); n != 2 {
		t.Errorf("got %d 'alert dropped' lines for 3 drops, want 2 (the 1st and 2nd)", n)
	}

	release <- struct{}{}
	release <- struct{}{}
	release <- struct{}{}
	closeWithin(t, s, 5*time.Second)
	wantStats(t, s, alert.Stats{Queued: 3, Sent: 3, Dropped: 3})
}

// TestCloseDeadline checks that Close gives up on a receiver that never answers when its
// context ends, and that alerts after Close are dropped.
func TestCloseDeadline(t *testing.T) {
	hold := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hold:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(hold)

	s, _ := newSink(t, srv.URL, alert.Options{Timeout: time.Minute})
	s.Alert(event())
	s.Alert(event())

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := s.Close(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close: got %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v with a 100ms deadline", d)
	}

	alertFast(t, s, event())
	got := s.Stats()
	if got.Sent != 0 || got.Failed+got.Dropped != 3 {
		t.Errorf("Stats: got %+v; want nothing sent and all 3 alerts failed or dropped", got)
	}
}

func TestNoWebhook(t *testing.T) {
	s, err := alert.New(alert.Options{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	alertFast(t, s, event())
	closeWithin(t, s, time.Second)
	wantStats(t, s, alert.Stats{})
}

func TestBadURL(t *testing.T) {
	for _, url := range []string{"ftp://example.com/" + webhookToken, "/relative/" + webhookToken,
		"https:///" + webhookToken, "http://[::1" + webhookToken} {
		t.Run(url, func(t *testing.T) {
			s, err := alert.New(alert.Options{URL: url})
			if err == nil {
				s.Close(context.Background())
				t.Fatalf("New(%q): got no error, want one", url)
			}
			if strings.Contains(err.Error(), webhookToken) {
				t.Errorf("New(%q): the error shows the URL: %v", url, err)
			}
		})
	}
}
