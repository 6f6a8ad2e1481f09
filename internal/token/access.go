package token

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

// ErrInvalidToken is wrapped by every error that Verify returns.
var ErrInvalidToken = errors.New("token: invalid access token")

// Defaults and limits of Config.
const (
	DefaultTTL = 15 * time.Minute
	MaxLeeway  = 30 * time.Second
)

// maxTokenLen bounds what Verify parses; the tokens Mint makes are about 300 bytes.
const maxTokenLen = 4096

// signingMethods are the accepted values of Config.Alg.
var signingMethods = map[string]*jwt.SigningMethodHMAC{
	"HS256": jwt.SigningMethodHS256,
	"HS384": jwt.SigningMethodHS384,
	"HS512": jwt.SigningMethodHS512,
}

// Config sets up an Issuer.
type Config struct {
	// Alg is the signing algorithm: HS256, HS384 or HS512. Only this one is accepted by
	// Verify.
	Alg string

	// Secret is the HMAC key, used as is so that other services holding it can verify
	// tokens. It must not be empty; 32 random bytes or more are advised.
	Secret []byte

	// Issuer goes into the iss claim and must match on Verify. It must not be empty.
	Issuer string

	// TTL is how long a token is valid. Zero means DefaultTTL.
	TTL time.Duration

	// Leeway is the clock skew tolerated on exp and iat, from 0 to MaxLeeway.
	Leeway time.Duration

	// Now is the clock. Nil means time.Now.
	Now func() time.Time
}

// Claims is what a verified access token says.
type Claims struct {
	UserID    int64
	SessionID string
	ID        string // the jti claim
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// Issuer mints and verifies access tokens. It is safe for concurrent use.
type Issuer struct {
	method *jwt.SigningMethodHMAC
	secret []byte
	issuer string
	ttl    time.Duration
	now    func() time.Time
	parser *jwt.Parser
}

// accessClaims is the JSON payload of an access token.
type accessClaims struct {
	SessionID string `json:"sid"`
	jwt.RegisteredClaims
}

// NewIssuer checks cfg and returns an Issuer for it.
func NewIssuer(cfg Config) (*Issuer, error) {
	method, ok := signingMethods[cfg.Alg]
	if !ok {
		return nil, fmt.Errorf("token: unsupported algorithm %q", cfg.Alg)
	}

	switch {
	case len(cfg.Secret) == 0:
		return nil, errors.New("token: empty secret")
	case cfg.Issuer == "":
		return nil, errors.New("token: empty issuer")
	case cfg.TTL < 0:
		return nil, fmt.Errorf("token: negative TTL %v", cfg.TTL)
	case cfg.Leeway < 0 || cfg.Leeway > MaxLeeway:
		return nil, fmt.Errorf("token: leeway %v outside 0..%v", cfg.Leeway, MaxLeeway)
	}

	iss := &Issuer{
		method: method,
		secret: append([]byte(nil), cfg.Secret...),
		issuer: cfg.Issuer,
		ttl:    cfg.TTL,
		now:    cfg.Now,
	}
	if iss.ttl == 0 {
		iss.ttl = DefaultTTL
	}
	if iss.now == nil {
		iss.now = time.Now
	}

	iss.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{method.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithTimeFunc(iss.now),
		jwt.WithStrictDecoding(),
	)
	return iss, nil
}

// maxSessionID bounds the session id a token carries; the service's ids are 36-byte UUIDs.
const maxSessionID = 256

// Mint returns a signed access token for a session of userID, and the time it expires. It
// fails for a user id below 1, or a session id that is empty, longer than 256 bytes or not
// valid UTF-8 (JSON would silently change it, and the token would name another session).
func (iss *Issuer) Mint(userID int64, sessionID string) (string, time.Time, error) {
	if userID <= 0 || sessionID == "" || len(sessionID) > maxSessionID ||
		!utf8.ValidString(sessionID) {
		return "", time.Time{}, fmt.Errorf("token: mint for user %d, session %q", userID,
			sessionID)
	}

	now := iss.now()
	claims := accessClaims{
		SessionID: sessionID,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    iss.issuer,
			Subject:   strconv.FormatInt(userID, 10),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(iss.ttl)),
			ID:        newID(),
		},
	}

	signed, err := jwt.NewWithClaims(iss.method, claims).SignedString(iss.secret)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("token: sign: %w", err)
	}
	return signed, claims.ExpiresAt.Time, nil
}

// Verify checks tok's signature, algorithm, issuer and times, and returns its claims. Every
// failure wraps ErrInvalidToken; expiry also wraps jwt.ErrTokenExpired.
func (iss *Issuer) Verify(tok string) (Claims, error) {
	if len(tok) > maxTokenLen {
		return Claims{}, fmt.Errorf("%w: longer than %d bytes", ErrInvalidToken, maxTokenLen)
	}
	// Go's base64 decoders skip line breaks even in strict mode, so one token would have
	// several accepted spellings: allow only the characters of its three base64url parts.
	if i := strings.IndexFunc(tok, notTokenChar); i >= 0 {
		return Claims{}, fmt.Errorf("%w: character %q at %d", ErrInvalidToken, tok[i], i)
	}

	var ac accessClaims
	if _, err := iss.parser.ParseWithClaims(tok, &ac, iss.key); err != nil {
		return Claims{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}

	return claimsOf(&ac)
}

// key hands the parser the secret, but only for the configured HMAC method, so that a token
// claiming another algorithm is never checked with the secret as some other kind of key.
func (iss *Issuer) key(t *jwt.Token) (any, error) {
	if m, ok := t.Method.(*jwt.SigningMethodHMAC); !ok || m != iss.method {
		return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
	}
	return iss.secret, nil
}

// claimsOf checks the claims that the parser does not know about.
func claimsOf(ac *accessClaims) (Claims, error) {
	userID, err := strconv.ParseInt(ac.Subject, 10, 64)
	if err != nil || userID <= 0 || strconv.FormatInt(userID, 10) != ac.Subject {
		return Claims{}, fmt.Errorf("%w: bad subject %q", ErrInvalidToken, ac.Subject)
	}

	switch {
	case ac.SessionID == "":
		return Claims{}, fmt.Errorf("%w: no session id", ErrInvalidToken)
	case ac.ID == "":
		return Claims{}, fmt.Errorf("%w: no token id", ErrInvalidToken)
	case ac.IssuedAt == nil:
		return Claims{}, fmt.Errorf("%w: no issue time", ErrInvalidToken)
	}

	return Claims{
		UserID:    userID,
		SessionID: ac.SessionID,
		ID:        ac.ID,
		IssuedAt:  ac.IssuedAt.Time,
		ExpiresAt: ac.ExpiresAt.Time,
	}, nil
}

// newID returns 128 random bits in unpadded base64url.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails; it crashes the program instead.
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// notTokenChar reports whether r cannot appear in a compact JWS with base64url parts.
func notTokenChar(r rune) bool {
	switch {
	case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		return false
	}
	return r != '-' && r != '_' && r != '.'
}
