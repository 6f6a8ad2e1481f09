// Package alert delivers high-risk events to a webhook, outside the request path: Alert
// puts an event on a bounded queue and returns at once, and one worker posts each event as
// JSON, retrying with exponential backoff and jitter. A full queue drops events, counting
// and logging them; nothing here can slow down or fail a login.
package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// Defaults of Options.
const (
	DefaultQueueSize   = 256
	DefaultTimeout     = 5 * time.Second
	DefaultMaxAttempts = 5
	DefaultBackoff     = time.Second
	DefaultMaxBackoff  = 30 * time.Second
)

// Options configure a Sink. Zero fields take the defaults.
type Options struct {
	// URL is the webhook that receives each alert as a JSON POST. Empty means that alerts
	// are only logged (by the service) and counted here.
	URL         string
	QueueSize   int           // alerts waiting for delivery (DefaultQueueSize)
	Timeout     time.Duration // per attempt (DefaultTimeout)
	MaxAttempts int           // attempts per alert, the first included (DefaultMaxAttempts)
	Backoff     time.Duration // wait before the first retry, doubled after each (DefaultBackoff)
	MaxBackoff  time.Duration // longest wait between attempts (DefaultMaxBackoff)
	Client      *http.Client  // a client of its own, which follows no redirects, when nil
	Logger      *slog.Logger  // slog.Default() when nil
}

// Stats count what happened to the alerts a Sink was given.
type Stats struct {
	Queued  int64 // accepted into the queue
	Sent    int64 // delivered: the webhook answered 2xx
	Failed  int64 // given up after the last attempt, or on an answer not worth retrying
	Dropped int64 // refused because the queue was full or the Sink closed
	Retries int64 // attempts after the first
}

// Sink implements auth.AlertSink. It is safe for concurrent use; Close stops it.
type Sink struct {
	opts   Options
	target string // the webhook's scheme and host, the only part of the URL ever logged
	queue  chan auth.Activity

	mu     sync.RWMutex // Alert holds it for reading, Close for writing
	closed bool

	ctx    context.Context // ends when Close gives up waiting
	cancel context.CancelFunc
	done   chan struct{}

	queued, sent, failed, dropped, retries atomic.Int64
}

var _ auth.AlertSink = (*Sink)(nil)

// New returns a Sink, and starts its worker when a URL is set. The URL must be http or
// https.
func New(opts Options) (*Sink, error) {
	opts = withDefaults(opts)
	target, err := checkURL(opts.URL)
	if err != nil {
		return nil, err
	}

	s := &Sink{opts: opts, target: target, queue: make(chan auth.Activity, opts.QueueSize),
		done: make(chan struct{})}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if opts.URL == "" {
		close(s.done)
		return s, nil
	}
	go s.work()
	return s, nil
}

func withDefaults(o Options) Options {
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultQueueSize
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.Client == nil {
		o.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// checkURL returns "scheme://host" of a webhook URL, or an error for one that is not an
// absolute http or https URL. The path and query often hold a token, so only this part is
// ever shown.
func checkURL(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("alert: webhook URL cannot be parsed")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("alert: webhook URL must be an absolute http or https URL")
	}
	return u.Scheme + "://" + u.Host, nil
}

// Alert queues a for delivery and returns at once. When the queue is full, or the Sink is
// closed, the alert is dropped, counted and logged.
func (s *Sink) Alert(a auth.Activity) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		s.drop(a, "closed")
		return
	}
	if s.opts.URL == "" {
		return
	}
	select {
	case s.queue <- a:
		s.queued.Add(1)
	default:
		s.drop(a, "queue full")
	}
}

// drop counts a dropped alert. It logs the 1st, 2nd, 4th, 8th... drop, so that a flood
// of alerts cannot flood the log as well.
func (s *Sink) drop(a auth.Activity, why string) {
	n := s.dropped.Add(1)
	if n&(n-1) == 0 {
		s.opts.Logger.Warn("alert dropped", "reason", why, "event", a.EventType,
			"user_id", logID(a.UserID), "dropped_total", n)
	}
}

// Stats returns the counts so far.
func (s *Sink) Stats() Stats {
	return Stats{Queued: s.queued.Load(), Sent: s.sent.Load(), Failed: s.failed.Load(),
		Dropped: s.dropped.Load(), Retries: s.retries.Load()}
}

// Close stops taking alerts and delivers those already queued, until ctx ends; then the
// attempt in progress is abandoned and the alerts left are dropped. It returns ctx's error
// when it had to give up.
func (s *Sink) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		<-s.done
		return nil
	}
	s.closed = true
	close(s.queue) // no Alert can send any more: they all check closed under mu
	s.mu.Unlock()

	select {
	case <-s.done:
		s.cancel()
		return nil
	case <-ctx.Done():
		s.cancel()
		<-s.done
		return fmt.Errorf("alert: close: %w", ctx.Err())
	}
}

// work delivers queued alerts until the queue is closed and empty.
func (s *Sink) work() {
	defer close(s.done)
	for a := range s.queue {
		if s.ctx.Err() != nil {
			s.drop(a, "shutting down")
			continue
		}
		s.deliver(a)
	}
}

// deliver posts one alert, retrying failures that may pass.
func (s *Sink) deliver(a auth.Activity) {
	body, err := json.Marshal(newPayload(a))
	if err != nil {
		s.failed.Add(1)
		s.opts.Logger.Error("alert cannot be encoded", "err", err)
		return
	}

	for attempt := 1; ; attempt++ {
		retry, err := s.post(body)
		if err == nil {
			s.sent.Add(1)
			s.opts.Logger.Debug("alert delivered", "event", a.EventType, "attempts", attempt)
			return
		}
		if !retry || attempt >= s.opts.MaxAttempts || !s.sleep(s.backoff(attempt)) {
			s.failed.Add(1)
			s.opts.Logger.Warn("alert not delivered", "webhook", s.target,
				"event", a.EventType, "user_id", logID(a.UserID), "attempts", attempt,
				"err", err)
			return
		}
		s.retries.Add(1)
	}
}

// post sends body once. retry says whether a failure may pass: a network error, a timeout,
// 429 or a 5xx answer.
func (s *Sink) post(body []byte) (retry bool, err error) {
	ctx, cancel := context.WithTimeout(s.ctx, s.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.opts.URL,
		bytes.NewReader(body))
	if err != nil {
		return false, errors.New("cannot build the request")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "finintelli-alert/1")

	resp, err := s.opts.Client.Do(req)
	if err != nil {
		// The error names the URL, token and all: keep only what went wrong.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return s.ctx.Err() == nil, err
	}
	resp.Body.Close()

	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return false, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return true, fmt.Errorf("webhook answered %s", resp.Status)
	}
	return false, fmt.Errorf("webhook answered %s", resp.Status)
}

// backoff returns the wait after the given failed attempt: Backoff doubled per attempt,
// capped at MaxBackoff, with "equal jitter" (a random half added to a fixed half), so that
// many servers retrying at once spread out.
func (s *Sink) backoff(attempt int) time.Duration {
	d := s.opts.Backoff << min(attempt-1, 30)
	if d <= 0 || d > s.opts.MaxBackoff {
		d = s.opts.MaxBackoff
	}
	half := d / 2
	return half + rand.N(half+1)
}

// sleep waits d, or less if the Sink is told to give up; it reports whether to go on.
func (s *Sink) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.ctx.Done():
		return false
	}
}

// logID returns a user id for a log line: the number, or nil for none.
func logID(id *int64) any {
	if id == nil {
		return nil
	}
	return *id
}

// payload is the JSON body of an alert. It carries no secret: no token, session id,
// password or attempted username, only what identifies the event for a person.
type payload struct {
	Text       string        `json:"text"` // one line, for chat services
	Event      string        `json:"event"`
	RiskScore  float64       `json:"risk_score"`
	UserID     *int64        `json:"user_id"`
	IPAddress  string        `json:"ip_address"`
	DeviceInfo string        `json:"device_info"`
	City       string        `json:"city"`
	Country    string        `json:"country"`
	Reasons    []auth.Reason `json:"reasons"`
	OccurredAt time.Time     `json:"occurred_at"`
}

func newPayload(a auth.Activity) payload {
	reasons, _ := a.ExtraInfo["reasons"].([]auth.Reason)
	if reasons == nil {
		reasons = []auth.Reason{}
	}
	return payload{
		Text:       summary(a, reasons),
		Event:      a.EventType,
		RiskScore:  a.RiskScore,
		UserID:     a.UserID,
		IPAddress:  a.Client.IP,
		DeviceInfo: a.Client.DeviceInfo,
		City:       a.Client.City,
		Country:    a.Client.Country,
		Reasons:    reasons,
		OccurredAt: a.CreatedAt.UTC(),
	}
}

// summary is the alert in one line, such as "fin_intelli: high-risk login_success for
// user 42 from 203.0.113.9 (risk 0.92: new_country, impossible_travel)".
func summary(a auth.Activity, reasons []auth.Reason) string {
	who := "an unknown account"
	if a.UserID != nil {
		who = fmt.Sprintf("user %d", *a.UserID)
	}
	signals := make([]string, len(reasons))
	for i, r := range reasons {
		signals[i] = r.Signal
	}
	return fmt.Sprintf("fin_intelli: high-risk %s for %s from %s (risk %.2f: %s)",
		a.EventType, who, a.Client.IP, a.RiskScore, strings.Join(signals, ", "))
}
