package auth

import (
	"encoding/json"
	"time"
)

// User is an account. Username is kept as the person typed it; UsernameKey and EmailKey are
// the normalised forms that uniqueness and look-ups use.
type User struct {
	ID             int64     `json:"id"`
	Username       string    `json:"username"`
	Email          string    `json:"email"`
	UsernameKey    string    `json:"-"`
	EmailKey       string    `json:"-"`
	HashedPassword string    `json:"-"`
	IsActive       bool      `json:"is_active"`
	IsAdmin        bool      `json:"is_admin"`
	CreatedAt      time.Time `json:"-"`
	UpdatedAt      time.Time `json:"-"`
}

// Session is one login: a family of refresh tokens that rotate into one another. Revoking a
// session revokes every token of it and every access token that names it.
type Session struct {
	ID         string
	UserID     int64
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  *time.Time
	Client     Client
}

// Active reports whether the session has not been revoked.
func (s Session) Active() bool { return s.RevokedAt == nil }

// RefreshToken is one link of a session's chain. Only the HMAC of the raw token is stored.
type RefreshToken struct {
	ID         int64
	UserID     int64
	SessionID  string
	ParentID   *int64
	TokenHash  string
	ExpiresAt  time.Time
	IsRevoked  bool
	CreatedAt  time.Time
	ReplacedAt *time.Time
	LastUsedAt *time.Time
	DeviceInfo string
	IPAddress  string
}

// Client describes where a request came from, as the activity log records it.
type Client struct {
	IP         string
	UserAgent  string
	DeviceInfo string
	City       string
	Country    string
	Latitude   *float64
	Longitude  *float64

	// DeviceTokens are the device tokens the client presented with a login, if any: proof
	// that this browser logged in to the account before. They are checked, never stored.
	DeviceTokens []string
}

// Event types of the activity log.
const (
	EventRegister       = "register"
	EventLoginSuccess   = "login_success"
	EventLoginFailed    = "login_failed"
	EventRefresh        = "refresh"
	EventRefreshReuse   = "refresh_reuse_detected"
	EventLogout         = "logout"
	EventSessionRevoked = "session_revoked"
	EventPasswordChange = "password_changed"
	EventRateLimited    = "rate_limited"
)

// Activity is one row of the security log.
type Activity struct {
	ID           int64
	UserID       *int64
	EventType    string
	Client       Client
	LoginSuccess *bool
	RiskScore    float64
	ExtraInfo    map[string]any
	CreatedAt    time.Time
}

// ExtraJSON returns ExtraInfo encoded as JSON ("{}" when empty).
func (a Activity) ExtraJSON() string {
	if len(a.ExtraInfo) == 0 {
		return "{}"
	}
	b, err := json.Marshal(a.ExtraInfo)
	if err != nil {
		return "{}"
	}
	return string(b)
}
