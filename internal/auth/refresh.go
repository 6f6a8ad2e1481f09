package auth

import (
	"context"
	"errors"
	"time"
)

// errReuse marks, inside a refresh transaction, a token presented after it was rotated.
var errReuse = errors.New("refresh token reused")

// Refresh rotates a refresh token: the presented token is marked replaced and its successor
// is handed out with a new access token.
//
// The successor is derived from the presented token with a server-side key, so presenting
// the same token again within the grace window (two tabs, a retried request) yields the very
// same successor: the chain cannot fork. Presenting it later, or presenting any older
// ancestor, is taken as theft: the whole session is revoked and recorded as high risk.
// Errors: ErrSessionExpired for any token that cannot be used, ERATELIMITED, EUNAVAILABLE.
func (s *Service) Refresh(ctx context.Context, raw string, c Client) (_ Grant, err error) {
	var g Grant
	var reuse *Activity
	defer func() { s.Observer.Refresh(refreshOutcome(g, reuse != nil, err)) }()

	if !s.RefreshTokens.Valid(raw) {
		return Grant{}, ErrSessionExpired
	}
	c = s.clientOf(c)
	hash := s.RefreshTokens.Hash(raw)
	next := s.RefreshTokens.Successor(raw)

	err = s.Store.InTx(ctx, func(tx Tx) error {
		var err error
		g, err = s.rotate(ctx, tx, hash, next, c)
		if !errors.Is(err, errReuse) {
			return err
		}
		reuse, err = s.revokeReused(ctx, tx, hash, c)
		return err
	})
	if err != nil {
		return Grant{}, err
	}
	if reuse != nil {
		s.Logger.Warn("refresh token reuse detected; session revoked",
			"user_id", logID(reuse.UserID), "session_id", reuse.ExtraInfo["session_id"],
			"client_ip", c.IP)
		s.alert(*reuse)
		return Grant{}, ErrSessionExpired
	}
	return s.mint(g)
}

// rotate does the work of Refresh inside tx. It returns errReuse when the token was already
// rotated and may not be presented again.
func (s *Service) rotate(ctx context.Context, tx Tx, hash, next string, c Client) (Grant,
	error) {
	now := s.now()
	t, err := tx.RefreshTokenByHash(ctx, hash)
	if errors.Is(err, ErrNotFound) {
		return Grant{}, ErrSessionExpired
	} else if err != nil {
		return Grant{}, err
	}
	sess, u, err := s.usable(ctx, tx, t, now)
	if err != nil {
		return Grant{}, err
	}
	if err := s.limit(ctx, s.cfg.Limits.RefreshSession, sess.ID); err != nil {
		return Grant{}, err
	}

	g := Grant{RefreshToken: next, User: u, SessionID: sess.ID}
	if t.ReplacedAt != nil {
		child, err := s.graceChild(ctx, tx, t, next, now)
		if err != nil {
			return Grant{}, err
		}
		g.RefreshExpires = child.ExpiresAt
		g.graceHit = true
		return g, nil
	}

	if err := tx.MarkTokenReplaced(ctx, t.ID, now); err != nil {
		return Grant{}, err
	}
	child := s.newToken(u.ID, sess.ID, &t.ID, next, c, now)
	if err := tx.CreateRefreshToken(ctx, &child); err != nil {
		return Grant{}, err
	}
	if err := tx.TouchSession(ctx, sess.ID, now); err != nil {
		return Grant{}, err
	}
	a := activity(EventRefresh, &u.ID, c, now)
	a.ExtraInfo["session_id"] = sess.ID
	if err := tx.AddActivity(ctx, &a); err != nil {
		return Grant{}, err
	}
	g.RefreshExpires = child.ExpiresAt
	return g, nil
}

// usable checks that t, its session and its user may still be used.
func (s *Service) usable(ctx context.Context, tx Tx, t RefreshToken, now time.Time) (Session,
	User, error) {
	if t.IsRevoked || t.SessionID == "" || !now.Before(t.ExpiresAt) {
		return Session{}, User{}, ErrSessionExpired
	}
	sess, err := tx.SessionByID(ctx, t.SessionID)
	if errors.Is(err, ErrNotFound) {
		return Session{}, User{}, ErrSessionExpired
	} else if err != nil {
		return Session{}, User{}, err
	}
	if !sess.Active() {
		return Session{}, User{}, ErrSessionExpired
	}
	u, err := tx.UserByID(ctx, t.UserID)
	if errors.Is(err, ErrNotFound) {
		return Session{}, User{}, ErrSessionExpired
	} else if err != nil {
		return Session{}, User{}, err
	}
	if !u.IsActive {
		return Session{}, User{}, ErrSessionExpired
	}
	return sess, u, nil
}

// graceChild returns the successor of t when t was rotated within the grace window and its
// successor is still the head of the chain; otherwise errReuse.
func (s *Service) graceChild(ctx context.Context, tx Tx, t RefreshToken, next string,
	now time.Time) (RefreshToken, error) {
	if s.cfg.ReuseGrace <= 0 || since(now, *t.ReplacedAt) > s.cfg.ReuseGrace {
		return RefreshToken{}, errReuse
	}
	child, err := tx.ChildToken(ctx, t.ID)
	if errors.Is(err, ErrNotFound) {
		return RefreshToken{}, errReuse
	} else if err != nil {
		return RefreshToken{}, err
	}
	if child.ReplacedAt != nil || child.IsRevoked || child.TokenHash != s.RefreshTokens.Hash(next) {
		return RefreshToken{}, errReuse
	}
	return child, nil
}

// revokeReused revokes the session of the reused token and records the event.
func (s *Service) revokeReused(ctx context.Context, tx Tx, hash string, c Client) (*Activity,
	error) {
	now := s.now()
	t, err := tx.RefreshTokenByHash(ctx, hash)
	if err != nil {
		return nil, err
	}
	if err := tx.RevokeSession(ctx, t.SessionID, now); err != nil {
		return nil, err
	}
	a := activity(EventRefreshReuse, &t.UserID, c, now)
	a.ExtraInfo["session_id"] = t.SessionID
	recordRisk(&a, Risk{Score: 1, Reasons: []Reason{{Signal: SignalRefreshReuse,
		Contribution: 1, Detail: "a rotated refresh token was presented again"}}})
	if err := tx.AddActivity(ctx, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// Logout revokes the session of a refresh token. Logging out with a missing, unknown or
// already revoked token is not an error: the outcome the caller wants already holds.
func (s *Service) Logout(ctx context.Context, raw string, c Client) error {
	if !s.RefreshTokens.Valid(raw) {
		return nil
	}
	c = s.clientOf(c)
	hash := s.RefreshTokens.Hash(raw)

	return s.Store.InTx(ctx, func(tx Tx) error {
		t, err := tx.RefreshTokenByHash(ctx, hash)
		if errors.Is(err, ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if t.SessionID == "" || t.IsRevoked {
			return nil
		}
		now := s.now()
		if err := tx.RevokeSession(ctx, t.SessionID, now); err != nil {
			return err
		}
		a := activity(EventLogout, &t.UserID, c, now)
		a.ExtraInfo["session_id"] = t.SessionID
		return tx.AddActivity(ctx, &a)
	})
}

// PickRefreshToken returns, of several refresh tokens presented in one request, the first
// that is the live head of its chain, or "" when none is. A browser can hold several
// cookies of one name (one planted by a sibling subdomain, or one left from an older cookie
// domain); refreshing with a stale one would be taken as theft, and with garbage would end
// the session, so the live one is chosen before anything is rotated.
func (s *Service) PickRefreshToken(ctx context.Context, candidates []string) (string, error) {
	now := s.now()
	picked := ""
	err := s.Store.InTx(ctx, func(tx Tx) error {
		for _, raw := range candidates {
			if !s.RefreshTokens.Valid(raw) {
				continue
			}
			t, err := tx.RefreshTokenByHash(ctx, s.RefreshTokens.Hash(raw))
			if errors.Is(err, ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			if !t.IsRevoked && t.ReplacedAt == nil && now.Before(t.ExpiresAt) {
				picked = raw
				return nil
			}
		}
		return nil
	})
	return picked, err
}
