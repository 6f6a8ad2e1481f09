package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/finintelli/auth/internal/auth"
)

// tokenResponse is the body of a successful register, login or refresh.
type tokenResponse struct {
	AccessToken string    `json:"access_token"`
	TokenType   string    `json:"token_type"`
	ExpiresIn   int       `json:"expires_in"`
	User        auth.User `json:"user"`
}

// client describes the request's origin for the activity log.
func (s *Server) client(r *http.Request) auth.Client {
	return auth.Client{IP: s.ips.ClientIP(r).String(), UserAgent: r.UserAgent()}
}

// grant answers with an access token and sets the refresh cookie.
func (s *Server) grant(w http.ResponseWriter, status int, g auth.Grant) {
	s.setRefreshCookie(w, g.RefreshToken, g.RefreshExpires)
	if g.DeviceToken != "" {
		s.setDeviceCookie(w, g.DeviceToken)
	}
	writeJSON(w, status, tokenResponse{AccessToken: g.AccessToken, TokenType: "bearer",
		ExpiresIn: g.ExpiresIn, User: g.User})
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	f, err := fields(r, "username", "email", "password")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := auth.RegisterInput{Username: f["username"], Email: f["email"], Password: f["password"]}
	g, err := s.svc.Register(r.Context(), in, s.client(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.grant(w, http.StatusCreated, g)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	f, err := fields(r, "username", "email", "password")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	login := f["username"]
	if login == "" {
		login = f["email"]
	}
	c := s.client(r)
	c.DeviceTokens = deviceTokens(r)
	g, err := s.svc.Login(r.Context(), login, f["password"], c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.grant(w, http.StatusOK, g)
}

func (s *Server) refresh(w http.ResponseWriter, r *http.Request) {
	if _, err := fields(r); err != nil {
		s.fail(w, r, err)
		return
	}
	raw, several, err := s.refreshToken(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if raw == "" {
		s.clearRefreshCookie(w)
		s.fail(w, r, auth.Errorf(auth.EUNAUTHORIZED, "Refresh token missing"))
		return
	}
	g, err := s.svc.Refresh(r.Context(), raw, s.client(r))
	if err != nil {
		// With several cookies, the one cleared here might not be the one that failed.
		if auth.IsCode(err, auth.EUNAUTHORIZED) && !several {
			s.clearRefreshCookie(w)
		}
		s.fail(w, r, err)
		return
	}
	s.grant(w, http.StatusOK, g)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if _, err := fields(r); err != nil {
		s.fail(w, r, err)
		return
	}
	raw, _, err := s.refreshToken(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.svc.Logout(r.Context(), raw, s.client(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.clearRefreshCookie(w)
	writeDetail(w, http.StatusOK, "Logged out")
}

// refreshToken returns the refresh token to act on and whether the request carried several:
// then the live one among them, or the first when none is live.
func (s *Server) refreshToken(r *http.Request) (string, bool, error) {
	toks := refreshTokens(r)
	switch len(toks) {
	case 0:
		return "", false, nil
	case 1:
		return toks[0], false, nil
	}
	live, err := s.svc.PickRefreshToken(r.Context(), toks)
	if err != nil || live != "" {
		return live, true, err
	}
	return toks[0], true, nil
}

func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) {
	tok := s.csrf.Ensure(w, r)
	writeJSON(w, http.StatusOK, map[string]string{"csrf_token": tok})
}

type principalKey struct{}

// principal is the user and session of a Bearer-authenticated request.
type principal struct {
	user    auth.User
	session auth.Session
}

// bearer authenticates the request by its Authorization header and passes the principal to
// h through the context. API routes need no CSRF token: a browser never adds the header by
// itself.
func (s *Server) bearer(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := bearerToken(r)
		if !ok {
			s.fail(w, r, auth.Errorf(auth.EUNAUTHORIZED, "Not authenticated"))
			return
		}
		u, sess, err := s.svc.Authenticate(r.Context(), tok)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		ctx := context.WithValue(r.Context(), principalKey{}, principal{user: u, session: sess})
		h(w, r.WithContext(ctx))
	})
}

func bearerToken(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

func principalOf(r *http.Request) principal {
	p, _ := r.Context().Value(principalKey{}).(principal)
	return p
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, principalOf(r).user)
}
