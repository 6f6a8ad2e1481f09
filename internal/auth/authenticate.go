package auth

import (
	"context"
	"errors"
)

// ErrInvalidToken is the answer to an access token that is malformed, expired, or names a
// session or user that can no longer be used.
var ErrInvalidToken = &Error{Code: EUNAUTHORIZED, Message: "Invalid or expired token"}

// Authenticate checks an access token and returns its user and session. The session is read
// on every call, so revoking it (logout, reuse detection, deactivation) takes effect at once.
func (s *Service) Authenticate(ctx context.Context, accessToken string) (User, Session,
	error) {
	claims, err := s.AccessTokens.Verify(accessToken)
	if err != nil {
		return User{}, Session{}, ErrInvalidToken
	}

	sess, u, err := s.Store.SessionWithUser(ctx, claims.SessionID)
	if errors.Is(err, ErrNotFound) {
		return User{}, Session{}, ErrInvalidToken
	} else if err != nil {
		return User{}, Session{}, err
	}
	if !sess.Active() || sess.UserID != claims.UserID || !u.IsActive {
		return User{}, Session{}, ErrInvalidToken
	}
	return u, sess, nil
}
