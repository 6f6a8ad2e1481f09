package auth

import (
	"context"
	"strings"
)

// NewUser is an account the operator creates at the command line.
type NewUser struct {
	Username string
	Email    string
	Password string
	IsAdmin  bool
}

// CreateUser creates an active account for the operator, under the registration policy,
// without logging it in. Errors: EINVALID for input against the policy, ECONFLICT for a
// taken username or e-mail address, EUNAVAILABLE.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (User, error) {
	in.Username = strings.TrimSpace(in.Username)
	in.Email = strings.TrimSpace(in.Email)
	reg := RegisterInput{Username: in.Username, Email: in.Email, Password: in.Password}
	if err := validateRegistration(reg); err != nil {
		return User{}, err
	}
	hash, err := s.Passwords.Hash(ctx, in.Password)
	if err != nil {
		return User{}, hashErr(err)
	}

	now := s.now()
	u := User{Username: in.Username, Email: in.Email, UsernameKey: UsernameKey(in.Username),
		EmailKey: EmailKey(in.Email), HashedPassword: hash, IsActive: true,
		IsAdmin: in.IsAdmin, CreatedAt: now, UpdatedAt: now}
	c := s.clientOf(operatorClient())
	err = s.Store.InTx(ctx, func(tx Tx) error {
		if err := tx.CreateUser(ctx, &u); err != nil {
			return err
		}
		a := adminActivity(EventUserCreated, operator(), u, c, now)
		a.ExtraInfo["is_admin"] = u.IsAdmin
		return tx.AddActivity(ctx, &a)
	})
	if err != nil {
		return User{}, err
	}

	s.Logger.Info("user created", "user_id", u.ID, "is_admin", u.IsAdmin, "via", "cli")
	return u, nil
}
