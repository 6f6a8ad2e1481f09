package auth

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"
)

// maxUserAgent is how much of a User-Agent header is kept.
const maxUserAgent = 512

// newSessionID returns a random UUID version 4 as text.
func newSessionID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("session id: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]), nil
}

// startSession creates a session for u with its first refresh token, inside tx, and returns
// the grant without its access token.
func (s *Service) startSession(ctx context.Context, tx Tx, u User, c Client,
	now time.Time) (Grant, error) {
	sid, err := newSessionID()
	if err != nil {
		return Grant{}, err
	}
	raw, err := s.RefreshTokens.New()
	if err != nil {
		return Grant{}, fmt.Errorf("refresh token: %w", err)
	}

	sess := Session{ID: sid, UserID: u.ID, CreatedAt: now, LastUsedAt: now, Client: c}
	if err := tx.CreateSession(ctx, &sess); err != nil {
		return Grant{}, err
	}
	rt := s.newToken(u.ID, sid, nil, raw, c, now)
	if err := tx.CreateRefreshToken(ctx, &rt); err != nil {
		return Grant{}, err
	}
	return Grant{RefreshToken: raw, RefreshExpires: rt.ExpiresAt, User: u, SessionID: sid}, nil
}

// newToken returns the row of a refresh token, storing only the hash of raw.
func (s *Service) newToken(userID int64, sid string, parent *int64, raw string, c Client,
	now time.Time) RefreshToken {
	return RefreshToken{
		UserID:     userID,
		SessionID:  sid,
		ParentID:   parent,
		TokenHash:  s.RefreshTokens.Hash(raw),
		ExpiresAt:  now.Add(s.cfg.RefreshTTL),
		CreatedAt:  now,
		DeviceInfo: c.DeviceInfo,
		IPAddress:  c.IP,
	}
}

// mint adds an access token for the grant's user and session.
func (s *Service) mint(g Grant) (Grant, error) {
	tok, exp, err := s.AccessTokens.Mint(g.User.ID, g.SessionID)
	if err != nil {
		return Grant{}, fmt.Errorf("mint access token: %w", err)
	}
	g.AccessToken = tok
	g.ExpiresIn = int(time.Until(exp).Round(time.Second) / time.Second)
	if g.ExpiresIn <= 0 || g.ExpiresIn > int(s.cfg.AccessTTL/time.Second) {
		g.ExpiresIn = int(s.cfg.AccessTTL / time.Second)
	}
	return g, nil
}

// clientOf prepares what is recorded about the client: a bounded User-Agent, the device
// summary and the location.
func (s *Service) clientOf(c Client) Client {
	c.UserAgent = truncateUTF8(c.UserAgent, maxUserAgent)
	if c.DeviceInfo == "" {
		c.DeviceInfo = DeviceInfo(c.UserAgent)
	}
	return s.locate(c)
}

// truncateUTF8 makes s fit to be stored as text: invalid UTF-8 and NUL bytes, which
// PostgreSQL refuses, are replaced, and s is cut to at most n bytes without splitting a
// character.
func truncateUTF8(s string, n int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
	if n >= len(s) {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// activity returns an activity row for the event.
func activity(event string, userID *int64, c Client, now time.Time) Activity {
	return Activity{UserID: userID, EventType: event, Client: c, CreatedAt: now,
		ExtraInfo: map[string]any{}}
}
