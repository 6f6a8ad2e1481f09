package auth

import (
	"context"
	"strings"

	"github.com/finintelli/auth/internal/password"
)

// RegisterInput is what a person submits to create an account.
type RegisterInput struct {
	Username string
	Email    string
	Password string
}

// Register creates an account and logs it in. Errors: ERATELIMITED, EINVALID for input
// against the policy, ECONFLICT for a taken username or e-mail, EUNAVAILABLE.
func (s *Service) Register(ctx context.Context, in RegisterInput, c Client) (Grant, error) {
	if err := s.limited(ctx, s.cfg.Limits.RegisterIP, c.IP, "", c); err != nil {
		return Grant{}, err
	}

	in.Username = strings.TrimSpace(in.Username)
	in.Email = strings.TrimSpace(in.Email)
	if err := validateRegistration(in); err != nil {
		return Grant{}, err
	}

	hash, err := s.Passwords.Hash(ctx, in.Password)
	if err != nil {
		return Grant{}, hashErr(err)
	}

	c = s.clientOf(c)
	now := s.now()
	u := User{Username: in.Username, Email: in.Email, UsernameKey: UsernameKey(in.Username),
		EmailKey: EmailKey(in.Email), HashedPassword: hash, IsActive: true,
		CreatedAt: now, UpdatedAt: now}
	var g Grant
	err = s.Store.InTx(ctx, func(tx Tx) error {
		if err := tx.CreateUser(ctx, &u); err != nil {
			return err
		}
		g, err = s.startSession(ctx, tx, u, c, now)
		if err != nil {
			return err
		}
		a := activity(EventRegister, &u.ID, c, now)
		return tx.AddActivity(ctx, &a)
	})
	if err != nil {
		return Grant{}, err
	}

	s.Logger.Info("user registered", "user_id", u.ID, "client_ip", c.IP)
	if s.DeviceTokens != nil {
		g.DeviceToken = s.DeviceTokens.New(u.UsernameKey, u.HashedPassword)
	}
	return s.mint(g)
}

func validateRegistration(in RegisterInput) error {
	if err := ValidateUsername(in.Username); err != nil {
		return err
	}
	if err := ValidateEmail(in.Email); err != nil {
		return err
	}
	if err := ValidatePassword(in.Password, in.Username, in.Email); err != nil {
		return err
	}
	if password.IsCommon(in.Password) {
		return Errorf(EINVALID, "This password is too common; choose a less guessable password")
	}
	return nil
}
