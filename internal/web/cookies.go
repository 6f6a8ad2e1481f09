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
const deviceTTL = token.DeviceTokenTTL

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

// refreshTokens returns the values of every refresh cookie the request carries. A browser
// may hold several: one planted by a sibling subdomain with a longer path (sent first), or
// one left from an older cookie domain.
func refreshTokens(r *http.Request) []string {
	var toks []string
	for _, c := range r.CookiesNamed(RefreshCookie) {
		toks = append(toks, c.Value)
	}
	return toks
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

// deviceTokens returns the values of every device cookie the request carries.
func deviceTokens(r *http.Request) []string {
	var toks []string
	for _, c := range r.CookiesNamed(DeviceCookie) {
		toks = append(toks, c.Value)
	}
	return toks
}
