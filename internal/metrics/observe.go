package metrics

import (
	"strconv"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// Request counts an answered HTTP request and its latency (web.Observer).
func (m *Metrics) Request(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Observe(d.Seconds())
}

// CSRFRejected counts a request refused by the CSRF check (web.Observer).
func (m *Metrics) CSRFRejected(reason string) {
	m.csrf.WithLabelValues(reason).Inc()
}

// Login counts a login attempt by outcome (auth.Observer).
func (m *Metrics) Login(outcome string) {
	m.logins.WithLabelValues(outcome).Inc()
}

// Refresh counts a refresh by outcome (auth.Observer). A grace hit and a replay are also
// counted as reuse of a rotated token, by cause.
func (m *Metrics) Refresh(outcome string) {
	m.refreshes.WithLabelValues(outcome).Inc()
	if outcome == auth.OutcomeGraceHit || outcome == auth.OutcomeReplay {
		m.reuse.WithLabelValues(outcome).Inc()
	}
}

// RateLimited counts an attempt refused by the rate limit named rule (auth.Observer).
func (m *Metrics) RateLimited(rule string) {
	m.rateLimited.WithLabelValues(rule).Inc()
}

// PasswordWait records how long a password operation waited for a bcrypt slot; it is meant
// for password.Config.OnWait.
func (m *Metrics) PasswordWait(d time.Duration) {
	m.bcryptWait.Observe(d.Seconds())
}
