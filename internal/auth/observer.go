package auth

import (
	"errors"
	"time"
)

// Outcomes reported to an Observer. Login reports success, invalid_credentials,
// invalid_request, rate_limited, unavailable or error. Refresh reports rotated, grace_hit,
// replay, rejected, rate_limited, unavailable or error.
const (
	OutcomeSuccess            = "success"             // a session was started
	OutcomeInvalidCredentials = "invalid_credentials" // wrong password, unknown or inactive user
	OutcomeInvalidRequest     = "invalid_request"     // a required field was missing
	OutcomeRateLimited        = "rate_limited"        // refused by a rate limit
	OutcomeUnavailable        = "unavailable"         // a dependency was down or overloaded
	OutcomeError              = "error"               // any other failure
	OutcomeRotated            = "rotated"             // the token was replaced by its successor
	OutcomeRejected           = "rejected"            // unknown, expired or revoked token

	// OutcomeGraceHit is a token presented again within the grace window while its
	// successor is still unused: a legitimate retry, answered with that same successor.
	OutcomeGraceHit = "grace_hit"

	// OutcomeReplay is a rotated token presented again outside the grace window: taken as
	// theft, so the whole session was revoked.
	OutcomeReplay = "replay"
)

// Observer is told what the service did, for metrics. Its methods must be quick and safe for
// concurrent use; they are called on the request path.
type Observer interface {
	Login(outcome string)    // once per Login call
	Refresh(outcome string)  // once per Refresh call
	RateLimited(rule string) // once per attempt a rate limit refused, by the rule's name
}

// nopObserver is the Observer of a service given none.
type nopObserver struct{}

func (nopObserver) Login(string)       {}
func (nopObserver) Refresh(string)     {}
func (nopObserver) RateLimited(string) {}

// PoolStats are the figures of a database connection pool at one moment, as the stores
// report them for metrics.
type PoolStats struct {
	Pool         string        // which pool: "postgres", "sqlite_write", "sqlite_read"
	Acquired     int           // connections in use
	Idle         int           // open connections not in use
	Total        int           // open connections, in use or not
	Max          int           // the most connections the pool opens
	Waits        int64         // acquisitions so far that had to wait for a connection
	WaitDuration time.Duration // total time spent in those waits
}

// outcomeOf names the outcome of a Login or Refresh that ended with err; ok is the name of
// success.
func outcomeOf(err error, ok string) string {
	switch {
	case err == nil:
		return ok
	case errors.Is(err, ErrInvalidCredentials):
		return OutcomeInvalidCredentials
	case errors.Is(err, ErrSessionExpired):
		return OutcomeRejected
	}

	switch ErrorCode(err) {
	case EINVALID:
		return OutcomeInvalidRequest
	case ERATELIMITED:
		return OutcomeRateLimited
	case EUNAVAILABLE:
		return OutcomeUnavailable
	}
	return OutcomeError
}

// refreshOutcome names the outcome of a Refresh: g is the grant rotate returned, replay
// whether a reuse was detected (it counts only once the revocation committed), err what
// Refresh returns.
func refreshOutcome(g Grant, replay bool, err error) string {
	switch {
	case replay && errors.Is(err, ErrSessionExpired):
		return OutcomeReplay
	case err == nil && g.graceHit:
		return OutcomeGraceHit
	}
	return outcomeOf(err, OutcomeRotated)
}
