package auth

import (
	"context"
	"errors"

	"github.com/finintelli/auth/internal/password"
)

// Page sizes of the listing methods.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// maxSessions bounds how many sessions Sessions lists.
const maxSessions = 100

// maxSessionID bounds the session ids looked up; real ones are 36 characters long.
const maxSessionID = 64

// Event types of the account and administration features.
const (
	EventPasswordChangeFailed = "password_change_failed"
	EventUserCreated          = "user_created"
	EventUserImported         = "user_imported"
	EventUserUpdated          = "user_updated"
)

// errNoSession is the answer for a session id that is not one of the caller's active
// sessions, whether it exists or not.
var errNoSession = &Error{Code: ENOTFOUND, Message: "No such active session"}

// Sessions returns the user's active sessions, most recently used first.
func (s *Service) Sessions(ctx context.Context, userID int64) ([]Session, error) {
	now := s.now()
	var out []Session
	err := s.Store.InTx(ctx, func(tx Tx) (err error) {
		out, err = tx.ActiveSessions(ctx, userID, now, maxSessions)
		return err
	})
	return out, err
}

// RevokeSession ends one of the user's own active sessions. A session of someone else, an
// ended session and an unknown id are all ENOTFOUND, so that the answer tells nothing about
// other people's sessions.
func (s *Service) RevokeSession(ctx context.Context, userID int64, sessionID string,
	c Client) error {
	if sessionID == "" || len(sessionID) > maxSessionID {
		return errNoSession
	}
	c = s.clientOf(c)
	now := s.now()

	err := s.Store.InTx(ctx, func(tx Tx) error {
		sess, err := tx.SessionByID(ctx, sessionID)
		if errors.Is(err, ErrNotFound) {
			return errNoSession
		} else if err != nil {
			return err
		}
		if sess.UserID != userID || !sess.Active() {
			return errNoSession
		}
		if err := tx.RevokeSession(ctx, sessionID, now); err != nil {
			return err
		}
		a := activity(EventSessionRevoked, &userID, c, now)
		a.ExtraInfo["session_id"] = sessionID
		return tx.AddActivity(ctx, &a)
	})
	if err != nil {
		return err
	}

	s.Logger.Info("session revoked", "user_id", userID, "client_ip", c.IP)
	return nil
}

// RevokeOtherSessions ends every session of the user except current and returns how many
// it ended.
func (s *Service) RevokeOtherSessions(ctx context.Context, userID int64, current string,
	c Client) (int, error) {
	c = s.clientOf(c)
	now := s.now()

	var n int
	err := s.Store.InTx(ctx, func(tx Tx) (err error) {
		n, err = tx.RevokeUserSessions(ctx, userID, current, now)
		if err != nil {
			return err
		}
		a := activity(EventSessionRevoked, &userID, c, now)
		a.ExtraInfo["scope"] = "others"
		a.ExtraInfo["sessions_revoked"] = n
		return tx.AddActivity(ctx, &a)
	})
	if err != nil {
		return 0, err
	}

	s.Logger.Info("other sessions revoked", "user_id", userID, "sessions", n,
		"client_ip", c.IP)
	return n, nil
}

// PasswordChange is what a person submits to change their password.
type PasswordChange struct {
	Current string
	New     string
}

// ChangePassword replaces the user's password after checking the current one, and ends
// every other session of the user. The new password follows the registration policy.
// A wrong current password is EINVALID, and every attempt counts towards the login rate
// limits, so that the form cannot be used to guess passwords faster than the login page.
// Other errors: ERATELIMITED, EUNAVAILABLE.
func (s *Service) ChangePassword(ctx context.Context, u User, sessionID string,
	in PasswordChange, c Client) error {
	currentPass, newPass := in.Current, in.New
	if currentPass == "" || newPass == "" {
		return Errorf(EINVALID, "Current and new password are required")
	}
	if err := s.passwordCheckLimits(ctx, u.UsernameKey, c); err != nil {
		return err
	}
	c = s.clientOf(c)

	if err := s.checkCurrentPassword(ctx, u, currentPass, c); err != nil {
		return err
	}
	if err := validateNewPassword(u, currentPass, newPass); err != nil {
		return err
	}
	hash, err := s.Passwords.Hash(ctx, newPass)
	if err != nil {
		return hashErr(err)
	}

	now := s.now()
	var revoked int
	err = s.Store.InTx(ctx, func(tx Tx) error {
		err := tx.SwapPasswordHash(ctx, u.ID, u.HashedPassword, hash, now)
		if errors.Is(err, ErrNotFound) {
			return Errorf(ECONFLICT, "The password was changed meanwhile; try again")
		} else if err != nil {
			return err
		}
		if revoked, err = tx.RevokeUserSessions(ctx, u.ID, sessionID, now); err != nil {
			return err
		}
		a := activity(EventPasswordChange, &u.ID, c, now)
		a.ExtraInfo["sessions_revoked"] = revoked
		return tx.AddActivity(ctx, &a)
	})
	if err != nil {
		return err
	}

	s.Logger.Info("password changed", "user_id", u.ID, "sessions_revoked", revoked,
		"client_ip", c.IP)
	return nil
}

// checkCurrentPassword verifies the current password, recording a failure.
func (s *Service) checkCurrentPassword(ctx context.Context, u User, pass string,
	c Client) error {
	ok := false
	var err error
	if len(pass) <= PasswordMaxBytes {
		ok, _, err = s.Passwords.Verify(ctx, u.HashedPassword, pass)
	} else {
		err = s.Passwords.VerifyDummy(ctx, pass)
	}
	if err != nil {
		return hashErr(err)
	}
	if ok {
		return nil
	}

	now := s.now()
	a := activity(EventPasswordChangeFailed, &u.ID, c, now)
	a.ExtraInfo["reason"] = "wrong_current_password"
	if err := s.Store.InTx(ctx, func(tx Tx) error { return tx.AddActivity(ctx, &a) }); err != nil {
		return err
	}
	s.Logger.Warn("password change refused: wrong current password", "user_id", u.ID,
		"client_ip", c.IP)
	return Errorf(EINVALID, "Current password is incorrect")
}

// validateNewPassword applies the registration policy to a new password.
func validateNewPassword(u User, currentPass, newPass string) error {
	if err := ValidatePassword(newPass, u.Username, u.Email); err != nil {
		return err
	}
	if password.IsCommon(newPass) {
		return Errorf(EINVALID, "This password is too common; choose a less guessable password")
	}
	if newPass == currentPass {
		return Errorf(EINVALID, "The new password must differ from the current one")
	}
	return nil
}

// ActivityPage asks for one page of an activity listing: at most Limit rows (1 to
// MaxPageSize), older than the row with id Before when Before > 0.
type ActivityPage struct {
	Limit  int
	Before int64
}

// Activity returns one page of the user's own activity, newest first. Errors: EINVALID for
// a bad page.
func (s *Service) Activity(ctx context.Context, userID int64, p ActivityPage) (
	[]LoggedActivity, error) {
	f := ActivityFilter{UserID: userID, Limit: p.Limit, Before: p.Before}
	if err := checkActivityFilter(f); err != nil {
		return nil, err
	}
	return s.listActivity(ctx, f)
}

func (s *Service) listActivity(ctx context.Context, f ActivityFilter) ([]LoggedActivity,
	error) {
	var out []LoggedActivity
	err := s.Store.InTx(ctx, func(tx Tx) (err error) {
		out, err = tx.ListActivity(ctx, f)
		return err
	})
	return out, err
}

// checkLimit checks a page size.
func checkLimit(n int) error {
	if n < 1 || n > MaxPageSize {
		return Errorf(EINVALID, "limit must be between 1 and %d", MaxPageSize)
	}
	return nil
}

// checkActivityFilter checks the paging and filter values of an activity listing.
func checkActivityFilter(f ActivityFilter) error {
	if err := checkLimit(f.Limit); err != nil {
		return err
	}
	switch {
	case f.Before < 0:
		return Errorf(EINVALID, "before must be a positive activity id")
	case f.UserID < 0:
		return Errorf(EINVALID, "user_id must be a positive number")
	case f.MinRisk < 0 || f.MinRisk > 1 || f.MinRisk != f.MinRisk:
		return Errorf(EINVALID, "min_risk must be between 0 and 1")
	case len(f.EventType) > 64:
		return Errorf(EINVALID, "event_type is too long")
	}
	return nil
}
