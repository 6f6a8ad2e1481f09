// Package csrf guards state-changing browser requests with two layers: the standard
// library's cross-origin check (Sec-Fetch-Site and Origin), and a signed double-submit token
// that the browser client copies from the XSRF-TOKEN cookie into the X-CSRF-Token header.
//
// A token is base64url(nonce || HMAC-SHA256(key, "csrf v1" || nonce)), so the server can
// tell its own tokens from ones a client made up, and needs no storage to do so.
package csrf

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Names of the cookie and header that carry the token.
const (
	CookieName = "XSRF-TOKEN"
	HeaderName = "X-CSRF-Token"
)

// DefaultMaxAge is the cookie lifetime when Config.MaxAge is zero.
const DefaultMaxAge = 7 * 24 * time.Hour

// MinKeyLen is the shortest Config.Key accepted.
const MinKeyLen = 32

// Errors returned by Check, possibly wrapped with a reason.
var (
	ErrCrossOrigin  = errors.New("csrf: cross-origin request")
	ErrTokenInvalid = errors.New("csrf: token missing or invalid")
)

// denyBody is the default rejection, in the error shape the web client already reads.
const denyBody = `{"detail":"CSRF token missing or invalid"}`

// Config sets up a Protector.
type Config struct {
	// Key signs tokens. The caller derives it from the server secret (for example with
	// HKDF); it must be at least MinKeyLen bytes.
	Key []byte

	// Secure marks the cookie Secure. Set it whenever the site is served over HTTPS.
	Secure bool

	// Domain is the cookie's Domain attribute; empty means a host-only cookie.
	Domain string

	// SameSite is the cookie's SameSite attribute; zero means http.SameSiteLaxMode.
	SameSite http.SameSite

	// MaxAge is the cookie lifetime; zero means DefaultMaxAge.
	MaxAge time.Duration

	// TrustedOrigins are origins ("https://app.example.com") allowed to send cross-origin
	// requests besides this host itself.
	TrustedOrigins []string

	// Deny answers rejected requests. Nil means a 403 with the JSON body
	// {"detail":"CSRF token missing or invalid"}. Reason(r) tells Deny why.
	Deny http.Handler
}

// Protector checks requests and hands out tokens. It is safe for concurrent use.
type Protector struct {
	key      []byte
	secure   bool
	domain   string
	sameSite http.SameSite
	maxAge   int // seconds
	origins  *http.CrossOriginProtection
	deny     http.Handler
}

// New checks cfg and returns a Protector for it.
func New(cfg Config) (*Protector, error) {
	if len(cfg.Key) < MinKeyLen {
		return nil, fmt.Errorf("csrf: key of %d bytes, want at least %d", len(cfg.Key), MinKeyLen)
	}
	if cfg.MaxAge < 0 {
		return nil, fmt.Errorf("csrf: negative max age %v", cfg.MaxAge)
	}

	origins := http.NewCrossOriginProtection()
	for _, o := range cfg.TrustedOrigins {
		if err := origins.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("csrf: trusted origin: %w", err)
		}
	}

	p := &Protector{
		key:      append([]byte(nil), cfg.Key...),
		secure:   cfg.Secure,
		domain:   cfg.Domain,
		sameSite: cfg.SameSite,
		maxAge:   int(cfg.MaxAge / time.Second),
		origins:  origins,
		deny:     cfg.Deny,
	}
	if p.sameSite == 0 {
		p.sameSite = http.SameSiteLaxMode
	}
	if p.maxAge == 0 {
		p.maxAge = int(DefaultMaxAge / time.Second)
	}
	if p.deny == nil {
		p.deny = http.HandlerFunc(defaultDeny)
	}
	return p, nil
}

// Ensure returns the request's token when its XSRF-TOKEN cookie holds a valid one. Otherwise
// it mints a token, sets it as the cookie on w, and returns it.
func (p *Protector) Ensure(w http.ResponseWriter, r *http.Request) string {
	for _, c := range r.CookiesNamed(CookieName) {
		if p.valid(c.Value) {
			return c.Value
		}
	}

	tok := p.mint()
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    tok,
		Path:     "/",
		Domain:   p.domain,
		MaxAge:   p.maxAge,
		Secure:   p.secure,
		HttpOnly: false, // the browser client must read it to echo it in the header
		SameSite: p.sameSite,
	})
	return tok
}

// Check returns nil for safe methods (GET, HEAD, OPTIONS). Other requests must pass the
// cross-origin check, else the error wraps ErrCrossOrigin, and must carry in the X-CSRF-Token
// header a token that this server signed and that equals an XSRF-TOKEN cookie, else the error
// wraps ErrTokenInvalid.
func (p *Protector) Check(r *http.Request) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}

	if err := p.origins.Check(r); err != nil {
		return fmt.Errorf("%w: %w", ErrCrossOrigin, err)
	}

	header := r.Header.Get(HeaderName)
	if header == "" {
		return fmt.Errorf("%w: no %s header", ErrTokenInvalid, HeaderName)
	}
	if !p.valid(header) {
		return fmt.Errorf("%w: header token not signed by this server", ErrTokenInvalid)
	}

	cookies := r.CookiesNamed(CookieName)
	if len(cookies) == 0 {
		return fmt.Errorf("%w: no %s cookie", ErrTokenInvalid, CookieName)
	}
	for _, c := range cookies {
		if subtle.ConstantTimeCompare([]byte(c.Value), []byte(header)) == 1 {
			return nil
		}
	}
	return fmt.Errorf("%w: header and cookie differ", ErrTokenInvalid)
}

// Protect runs Check before next, and hands rejected requests to the Deny handler. Mount it on
// cookie-authenticated, state-changing routes; requests authenticated by a bearer token do not
// need it.
func (p *Protector) Protect(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := p.Check(r); err != nil {
			ctx := context.WithValue(r.Context(), reasonKey{}, err)
			p.deny.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		next.ServeHTTP(w, r)
	})
}

type reasonKey struct{}

// Reason returns why Protect rejected r, for a Deny handler to log. It is nil for requests
// that Protect did not reject. The error names the failed check but holds no token.
func Reason(r *http.Request) error {
	err, _ := r.Context().Value(reasonKey{}).(error)
	return err
}

func defaultDeny(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte(denyBody))
}
