package auth

import (
	"context"
	"errors"
	"sync"
	"time"
)

// maxLimitLog bounds how many refusals the service remembers at once. When that many are
// remembered and none has expired, further refusals are not recorded until some expire:
// the log of refusals must not become a way to fill memory or the database.
const maxLimitLog = 10_000

// limitLog remembers which refusals by a rate limit were recorded, so that a flood of
// refused attempts writes one rate_limited row per rule, key and period of the rule, not
// one row per attempt. It is per process: n instances write at most n rows per period.
type limitLog struct {
	mu        sync.Mutex
	until     map[string]time.Time // rule and key -> end of the period already recorded
	lastSweep time.Time
}

func newLimitLog() *limitLog {
	return &limitLog{until: make(map[string]time.Time)}
}

// first reports whether a refusal of key is the first one within period, and if so
// remembers it.
func (l *limitLog) first(key string, now time.Time, period time.Duration) bool {
	l.mu.Lock()
	defer l.mu.Unlock()

	if end, ok := l.until[key]; ok && now.Before(end) {
		return false
	}
	if len(l.until) >= maxLimitLog {
		l.sweep(now)
	}
	if len(l.until) >= maxLimitLog {
		return false
	}
	l.until[key] = now.Add(period)
	return true
}

// sweep forgets expired refusals, at most once a second so that a full log under a flood
// costs little.
func (l *limitLog) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < time.Second && now.After(l.lastSweep) {
		return
	}
	l.lastSweep = now
	for k, end := range l.until {
		if !now.Before(end) {
			delete(l.until, k)
		}
	}
}

// limited applies rule to key like limit, and records a refusal in the activity log (see
// recordLimited). login is the normalised name an attempt was for, or "".
func (s *Service) limited(ctx context.Context, rule Rule, key, login string, c Client) error {
	err := s.limit(ctx, rule, key)
	if err != nil {
		s.recordLimited(ctx, rule, key, login, c)
	}
	return err
}

// recordLimited writes a rate_limited row, and a WARN log line, for the first refusal of
// key by rule within the rule's period; later refusals are logged at DEBUG only. The row
// names the account when login is a known one, else keeps the attempted name, like a
// failed login. Failing to write it does not change the answer, ERATELIMITED either way.
func (s *Service) recordLimited(ctx context.Context, rule Rule, key, login string,
	c Client) {
	now := s.now()
	if !s.refusals.first(rule.Name+"\x00"+key, now, rule.Period) {
		s.Logger.Debug("rate limited again", "rule", rule.Name, "client_ip", c.IP)
		return
	}
	s.Logger.Warn("rate limited", "rule", rule.Name, "client_ip", c.IP)

	c = s.clientOf(c)
	a := activity(EventRateLimited, nil, c, now)
	a.ExtraInfo["rule"] = rule.Name
	err := s.Store.InTx(ctx, func(tx Tx) error {
		if login == "" || len(login) > maxLoginBytes {
			return tx.AddActivity(ctx, &a)
		}
		u, err := tx.UserByLogin(ctx, login)
		switch {
		case err == nil:
			a.UserID = &u.ID
		case errors.Is(err, ErrNotFound):
			a.ExtraInfo["attempted_username"] = truncateUTF8(login, 64)
		default:
			return err
		}
		return tx.AddActivity(ctx, &a)
	})
	if err != nil {
		s.Logger.Warn("cannot record a rate-limit refusal", "rule", rule.Name, "err", err)
	}
}
