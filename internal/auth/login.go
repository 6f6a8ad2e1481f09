package auth

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"
)

// maxLoginBytes bounds what is looked up as a username or e-mail address.
const maxLoginBytes = 320

// Login checks a username (or e-mail address) and password and starts a session. Every
// failure, whatever its cause, is ErrInvalidCredentials, so that the answer does not tell
// which accounts exist. Other errors: EINVALID for missing fields, ERATELIMITED,
// EUNAVAILABLE.
func (s *Service) Login(ctx context.Context, login, pass string, c Client) (_ Grant, err error) {
	defer func() { s.Observer.Login(outcomeOf(err, OutcomeSuccess)) }()
	login = strings.TrimSpace(login)
	if login == "" || pass == "" {
		return Grant{}, Errorf(EINVALID, "Username and password are required")
	}
	key := LoginKey(login)
	if err := s.limited(ctx, s.cfg.Limits.LoginIP, c.IP, key, c); err != nil {
		return Grant{}, err
	}

	c = s.clientOf(c)
	u, err := s.lookup(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Grant{}, err
	}
	known := err == nil

	// The account limits count per account, not per spelling: a username and the e-mail
	// address of the same account share one bucket.
	account := key
	if known {
		account = u.UsernameKey
	}
	if err := s.limited(ctx, s.cfg.Limits.LoginAccount, account+"|"+c.IP, key, c); err != nil {
		return Grant{}, err
	}
	// The ceiling per account guards against guessing spread over many addresses. A
	// browser that logged in to this account before proves it with its device token and is
	// let past the ceiling, so that an attacker who fills it cannot lock the owner out.
	if !known || !s.knownDevice(c.DeviceTokens, u) {
		err := s.limited(ctx, s.cfg.Limits.LoginAccountDaily, account, key, c)
		if err != nil {
			return Grant{}, err
		}
	}

	ok, upgrade := false, false
	if known && len(pass) <= PasswordMaxBytes {
		ok, upgrade, err = s.Passwords.Verify(ctx, u.HashedPassword, pass)
	} else {
		err = s.Passwords.VerifyDummy(ctx, pass)
	}
	if err != nil {
		return Grant{}, hashErr(err)
	}
	if !ok || !u.IsActive {
		return Grant{}, s.loginFailed(ctx, u, known, key, c)
	}

	return s.loginSucceeded(ctx, u, pass, upgrade, c)
}

// passwordCheckLimits applies to a signed-in caller who proves the current password (a
// password change) the login limits per client IP and per account and IP. The ceiling per
// account is left out: it exists for guessing spread over many addresses, and holding it
// against the owner's own session would let an attacker who fills it stop the owner from
// changing the password during exactly that attack.
func (s *Service) passwordCheckLimits(ctx context.Context, key string, c Client) error {
	if err := s.limited(ctx, s.cfg.Limits.LoginIP, c.IP, key, c); err != nil {
		return err
	}
	return s.limited(ctx, s.cfg.Limits.LoginAccount, key+"|"+c.IP, key, c)
}

func (s *Service) lookup(ctx context.Context, key string) (User, error) {
	if len(key) > maxLoginBytes || !utf8.ValidString(key) || strings.ContainsRune(key, 0) {
		return User{}, ErrNotFound
	}
	var u User
	err := s.Store.InTx(ctx, func(tx Tx) (err error) {
		u, err = tx.UserByLogin(ctx, key)
		return err
	})
	return u, err
}

// loginFailed records a failed attempt and returns the one answer to every failure.
func (s *Service) loginFailed(ctx context.Context, u User, known bool, key string,
	c Client) error {
	now := s.now()
	var uid *int64
	if known {
		uid = &u.ID
	}
	a := activity(EventLoginFailed, uid, c, now)
	a.LoginSuccess = new(false)
	if !known {
		a.ExtraInfo["attempted_username"] = truncateUTF8(key, 64)
	} else if !u.IsActive {
		a.ExtraInfo["reason"] = "inactive"
	}
	err := s.Store.InTx(ctx, func(tx Tx) error {
		risk, err := s.assess(ctx, tx, uid, c, now, true)
		if err != nil {
			return err
		}
		recordRisk(&a, risk)
		return tx.AddActivity(ctx, &a)
	})
	if err != nil {
		return err
	}

	s.Logger.Warn("login failed", "user_id", logID(uid), "client_ip", c.IP,
		"risk_score", a.RiskScore)
	s.alert(a)
	return ErrInvalidCredentials
}

func (s *Service) loginSucceeded(ctx context.Context, u User, pass string, upgrade bool,
	c Client) (Grant, error) {
	newHash := ""
	if upgrade {
		h, err := s.Passwords.Hash(ctx, pass)
		if err != nil {
			return Grant{}, hashErr(err)
		}
		newHash = h
	}

	now := s.now()
	var g Grant
	var a Activity
	err := s.Store.InTx(ctx, func(tx Tx) (err error) {
		if newHash != "" {
			if err := tx.SetPasswordHash(ctx, u.ID, newHash, now); err != nil {
				return err
			}
		}
		g, err = s.startSession(ctx, tx, u, c, now)
		if err != nil {
			return err
		}
		a = activity(EventLoginSuccess, &u.ID, c, now)
		a.LoginSuccess = new(true)
		if newHash != "" {
			a.ExtraInfo["password_rehashed"] = true
		}
		risk, err := s.assess(ctx, tx, &u.ID, c, now, false)
		if err != nil {
			return err
		}
		recordRisk(&a, risk)
		return tx.AddActivity(ctx, &a)
	})
	if err != nil {
		return Grant{}, err
	}

	s.Logger.Info("login succeeded", "user_id", u.ID, "client_ip", c.IP,
		"rehashed", newHash != "", "risk_score", a.RiskScore)
	s.alert(a)
	if s.DeviceTokens != nil {
		binding := u.HashedPassword
		if newHash != "" {
			binding = newHash
		}
		g.DeviceToken = s.DeviceTokens.New(u.UsernameKey, binding)
	}
	return s.mint(g)
}

// knownDevice reports whether one of toks proves an earlier login to u's account from this
// browser, since its password last changed. All are tried, so that a token planted beside the real one cannot hide it.
func (s *Service) knownDevice(toks []string, u User) bool {
	if s.DeviceTokens == nil {
		return false
	}
	for _, tok := range toks {
		if s.DeviceTokens.Valid(tok, u.UsernameKey, u.HashedPassword) {
			return true
		}
	}
	return false
}

// since reports how long ago t was, never less than zero.
func since(now, t time.Time) time.Duration {
	if d := now.Sub(t); d > 0 {
		return d
	}
	return 0
}
