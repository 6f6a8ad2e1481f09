package auth

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"time"

	"github.com/finintelli/auth/internal/password"
	"github.com/finintelli/auth/internal/token"
)

// Limits are the rate limits the service applies.
type Limits struct {
	LoginIP           Rule // attempts per client IP
	LoginAccount      Rule // attempts per account and client IP together
	LoginAccountDaily Rule // attempts per account from anywhere: a slow ceiling
	RegisterIP        Rule // registrations per client IP
	RefreshSession    Rule // refreshes per session
}

// Config holds the service's settings. Zero durations are replaced by the defaults.
type Config struct {
	AccessTTL  time.Duration // lifetime of an access token (default 15 minutes)
	RefreshTTL time.Duration // lifetime of a refresh token (default 14 days)
	ReuseGrace time.Duration // how long a rotated refresh token may be presented again
	Limits     Limits
	Risk       RiskConfig // weights and thresholds of the risk engine (DefaultRiskConfig)
}

// Deps are the parts the service talks to. Limiter, Geo, Alerts and Observer may be nil.
type Deps struct {
	Store         Store
	Passwords     *password.Hasher
	AccessTokens  *token.Issuer
	RefreshTokens *token.Refresher
	DeviceTokens  *token.DeviceTokens // optional: lets known browsers past the ceiling
	Limiter       Limiter
	Geo           GeoReader
	Alerts        AlertSink
	Observer      Observer // told outcomes for metrics; a no-op when nil
	Logger        *slog.Logger
	Now           func() time.Time
}

// Service holds the rules of registration, login, refresh-token rotation, logout and
// access-token checks. It knows no HTTP and no SQL.
type Service struct {
	Deps
	cfg      Config
	refusals *limitLog // refusals already recorded as rate_limited
}

// NewService returns a Service ready to use.
func NewService(d Deps, cfg Config) *Service {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Observer == nil {
		d.Observer = nopObserver{}
	}
	if cfg.AccessTTL <= 0 {
		cfg.AccessTTL = 15 * time.Minute
	}
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = 14 * 24 * time.Hour
	}
	cfg.Risk = cfg.Risk.withDefaults()
	return &Service{Deps: d, cfg: cfg, refusals: newLimitLog()}
}

// Grant is what a successful register, login or refresh hands to the client.
type Grant struct {
	AccessToken    string
	ExpiresIn      int // seconds
	RefreshToken   string
	RefreshExpires time.Time
	User           User
	SessionID      string
	DeviceToken    string // after a login: the browser's new device token, if enabled

	graceHit bool // a retry within the grace window, for the Observer
}

// now returns the current time in UTC, truncated to microseconds so that it survives a
// round trip through either database unchanged.
func (s *Service) now() time.Time {
	return s.Now().UTC().Truncate(time.Microsecond)
}

// limit takes one attempt from key's bucket under rule and turns a refusal into ERATELIMITED.
// A limiter that cannot decide lets the attempt through: the limits are a defence in depth,
// and an outage of their store must not lock every user out.
func (s *Service) limit(ctx context.Context, rule Rule, key string) error {
	if s.Limiter == nil || rule.Limit <= 0 {
		return nil
	}
	d, err := s.Limiter.Allow(ctx, rule, key)
	if err != nil {
		s.Logger.Warn("rate limiter failed; allowing", "rule", rule.Name, "err", err)
		return nil
	}
	if d.Allowed {
		return nil
	}
	s.Observer.RateLimited(rule.Name)
	retry := d.RetryAfter
	if retry < time.Second {
		retry = time.Second
	}
	return &Error{Code: ERATELIMITED, Message: "Too many attempts, try again later",
		RetryAfter: retry}
}

// hashErr maps a failure of the password hasher to the service's errors.
func hashErr(err error) error {
	if errors.Is(err, password.ErrBusy) {
		return &Error{Code: EUNAVAILABLE, Message: "Server busy, try again shortly",
			RetryAfter: time.Second, Err: err}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return Unavailable(err)
	}
	return err
}

// locate fills in what the geolocation database knows about the client's address.
func (s *Service) locate(c Client) Client {
	if s.Geo == nil || c.City != "" || c.Country != "" {
		return c
	}
	ip, err := netip.ParseAddr(c.IP)
	if err != nil {
		return c
	}
	loc := s.Geo.Lookup(ip)
	c.City, c.Country, c.Latitude, c.Longitude = loc.City, loc.Country, loc.Latitude, loc.Longitude
	return c
}
