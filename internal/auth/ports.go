package auth

import (
	"context"
	"net/netip"
	"time"
)

// Rule is one rate limit: at most Limit events per Period for each key.
type Rule struct {
	Name   string // short name used in keys and logs, such as "login_ip"
	Limit  int
	Period time.Duration
}

// Decision is a limiter's answer for one attempt.
type Decision struct {
	Allowed    bool
	RetryAfter time.Duration // when not allowed: how long until one more attempt is allowed
}

// Limiter counts attempts against rules. Implementations live in internal/ratelimit.
type Limiter interface {
	// Allow takes one attempt from key's bucket under rule. An error means the limiter
	// could not decide; implementations that can fall back do so instead of failing.
	Allow(ctx context.Context, rule Rule, key string) (Decision, error)
}

// Location is what a geolocation database knows about an address.
type Location struct {
	City      string
	Country   string // ISO 3166-1 alpha-2, "Local" or "Unknown"
	Latitude  *float64
	Longitude *float64
}

// GeoReader looks addresses up in an offline database. It never calls the network.
type GeoReader interface {
	Lookup(ip netip.Addr) Location
}

// AlertSink receives high-risk events for delivery outside the request path.
type AlertSink interface {
	// Alert queues a for delivery; it must not block the caller.
	Alert(a Activity)
}
