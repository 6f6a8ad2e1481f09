package web

import (
	"net/http"
	"time"

	"github.com/finintelli/auth/internal/token"
)

// RefreshCookie is the name of the HttpOnly cookie that carries the refresh token.
const RefreshCookie = "refresh_token"

// DeviceCookie is the name of the HttpOnly cookie that carries the device token: proof that
// this browser logged in to an account before, which lets its owner past the per-account
// login ceiling.
const DeviceCookie = "device_token"

// deviceTTL is how long a device token is kept.
const deviceTTL = 365 * 24 * time.Hour

// refreshPath is the only path the refresh cookie is sent to: the refresh and logout
// endpoints live under it, and pages and the API never see the cookie.
const refreshPath = "/auth"

func (s *Server) setRefreshCookie(w http.ResponseWriter, raw string, expires time.Time) {
	maxAge := int(s.cookies.RefreshTTL / time.Second)
	if left := int(time.Until(expires).Round(time.Second) / time.Second); left > 0 &&
		left < maxAge {
		maxAge = left
	}
	http.SetCookie(w, &http.Cookie{
		Name:     RefreshCookie,
		Value:    raw,
		Path:     refreshPath,
		Domain:   s.cookies.Domain,
		MaxAge:   maxAge,
		Secure:   s.cookies.Secure,
		HttpOnly: true,
		SameSite: s.cookies.SameSite,
	})
}

func (s *Server) clearRefreshCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name:     RefreshCookie,
		Value:    "",
		Path:     refreshPath,
		Domain:   s.cookies.Domain,
		MaxAge:   -1,
		Secure:   s.cookies.Secure,
		HttpOnly: true,
		SameSite: s.cookies.SameSite,
	})
}

// refreshToken returns the value of the refresh cookie, or "". When the request carries
// several (a sibling subdomain may plant one with a longer path, which browsers send
// first), the first that has the shape of a refresh token wins, so planted garbage cannot
// log the holder out.
func refreshToken(r *http.Request) string {
	cookies := r.CookiesNamed(RefreshCookie)
	for _, c := range cookies {
		if len(c.Value) == token.RefreshLen {
			return c.Value
		}
	}
	if len(cookies) > 0 {
		return cookies[0].Value
	}
	return ""
}

func (s *Server) setDeviceCookie(w http.ResponseWriter, tok string) {
	http.SetCookie(w, &http.Cookie{
		Name:     DeviceCookie,
		Value:    tok,
		Path:     refreshPath,
		Domain:   s.cookies.Domain,
		MaxAge:   int(deviceTTL / time.Second),
		Secure:   s.cookies.Secure,
		HttpOnly: true,
		SameSite: s.cookies.SameSite,
	})
}

// deviceToken returns the value of the device cookie, or "".
func deviceToken(r *http.Request) string {
	c, err := r.Cookie(DeviceCookie)
	if err != nil {
		return ""
	}
	return c.Value
}
