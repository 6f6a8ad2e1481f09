package auth

import (
	"context"
	"errors"
	"slices"
	"time"
)

// maxOffset bounds the offset of a user listing.
const maxOffset = 1_000_000

// errNotAdmin is the answer to a non-administrator who calls an administration method.
var errNotAdmin = &Error{Code: EFORBIDDEN, Message: "Administrator access required"}

// errNoUser is the answer for a user id or name that does not exist.
var errNoUser = &Error{Code: ENOTFOUND, Message: "No such user"}

// errLastAdmin refuses a change that would leave no active administrator.
var errLastAdmin = &Error{Code: EINVALID, Message: "This is the last active administrator; " +
	"make another user an administrator first"}

// UserPatch is a change to an account's flags; a nil field stays as it is.
type UserPatch struct {
	IsActive *bool
	IsAdmin  *bool
}

// actor is who makes an administrative change, as the activity log records it.
type actor struct {
	id   *int64
	name string
	via  string // "api" or "cli"
}

// RequireAdmin refuses anyone but an active administrator with EFORBIDDEN. The
// administration methods call it themselves; callers may call it first to refuse early.
func RequireAdmin(u User) error {
	if !u.IsAdmin || !u.IsActive {
		return errNotAdmin
	}
	return nil
}

// Users returns one page of the accounts whose username or e-mail address contains query
// (compared as LoginKey forms), ordered by id, and how many match in all. Errors:
// EFORBIDDEN for a caller who is not an administrator, EINVALID for a bad page or query.
func (s *Service) Users(ctx context.Context, admin User, query string, limit,
	offset int) ([]User, int, error) {
	if err := RequireAdmin(admin); err != nil {
		return nil, 0, err
	}
	if err := checkLimit(limit); err != nil {
		return nil, 0, err
	}
	if offset < 0 || offset > maxOffset {
		return nil, 0, Errorf(EINVALID, "offset must be between 0 and %d", maxOffset)
	}
	if len(query) > maxLoginBytes {
		return nil, 0, Errorf(EINVALID, "query is too long")
	}

	f := UserFilter{Query: LoginKey(query), Limit: limit, Offset: offset}
	var users []User
	var total int
	err := s.Store.InTx(ctx, func(tx Tx) (err error) {
		users, total, err = tx.ListUsers(ctx, f)
		return err
	})
	return users, total, err
}

// UpdateUser changes another account's (or the administrator's own) active and admin flags.
// Deactivating an account ends all its sessions at once. A change that would leave no
// active administrator is EINVALID; an unknown id is ENOTFOUND; a caller who is not an
// administrator gets EFORBIDDEN. The change is recorded in the activity log of the account
// changed, naming the administrator.
func (s *Service) UpdateUser(ctx context.Context, admin User, userID int64, p UserPatch,
	c Client) (User, error) {
	if err := RequireAdmin(admin); err != nil {
		return User{}, err
	}
	if p.IsActive == nil && p.IsAdmin == nil {
		return User{}, Errorf(EINVALID, "Nothing to change: set is_active or is_admin")
	}
	c = s.clientOf(c)
	who := actor{id: &admin.ID, name: admin.Username, via: "api"}

	var out User
	err := s.Store.InTx(ctx, func(tx Tx) error {
		admins, err := tx.LockAdmins(ctx)
		if err != nil {
			return err
		}
		target, err := userByID(ctx, tx, userID)
		if err != nil {
			return err
		}
		next := p.apply(target)
		if slices.Contains(admins, target.ID) && !(next.IsActive && next.IsAdmin) &&
			len(admins) <= 1 {
			return errLastAdmin
		}
		out, err = s.saveFlags(ctx, tx, who, target, next, c)
		return err
	})
	if err != nil {
		return User{}, err
	}
	return out, nil
}

// UpdateUserByLogin changes the flags of the account with that username or e-mail address,
// for the operator at the command line: it needs no administrator and, being the way back
// in, may also remove the last one. Deactivating ends all the account's sessions.
func (s *Service) UpdateUserByLogin(ctx context.Context, login string, p UserPatch) (User,
	error) {
	key := LoginKey(login)
	if key == "" || len(key) > maxLoginBytes {
		return User{}, errNoUser
	}
	c := s.clientOf(operatorClient())

	var out User
	err := s.Store.InTx(ctx, func(tx Tx) error {
		target, err := tx.UserByLogin(ctx, key)
		if errors.Is(err, ErrNotFound) {
			return errNoUser
		} else if err != nil {
			return err
		}
		out, err = s.saveFlags(ctx, tx, operator(), target, p.apply(target), c)
		return err
	})
	return out, err
}

// RiskFeed returns one page of everyone's activity that matches f, newest first, for
// administrators. Errors: EFORBIDDEN, EINVALID for a bad filter.
func (s *Service) RiskFeed(ctx context.Context, admin User, f ActivityFilter) (
	[]LoggedActivity, error) {
	if err := RequireAdmin(admin); err != nil {
		return nil, err
	}
	if err := checkActivityFilter(f); err != nil {
		return nil, err
	}
	return s.listActivity(ctx, f)
}

// apply returns u with the patch applied.
func (p UserPatch) apply(u User) User {
	if p.IsActive != nil {
		u.IsActive = *p.IsActive
	}
	if p.IsAdmin != nil {
		u.IsAdmin = *p.IsAdmin
	}
	return u
}

// saveFlags stores next's flags, ends next's sessions when it is inactive, and records the
// change with who made it.
func (s *Service) saveFlags(ctx context.Context, tx Tx, who actor, target, next User,
	c Client) (User, error) {
	now := s.now()
	if err := tx.SetUserFlags(ctx, target.ID, next.IsActive, next.IsAdmin, now); err != nil {
		return User{}, err
	}
	revoked := 0
	if !next.IsActive {
		var err error
		if revoked, err = tx.RevokeUserSessions(ctx, target.ID, "", now); err != nil {
			return User{}, err
		}
	}

	a := adminActivity(EventUserUpdated, who, target, c, now)
	changes := map[string]any{}
	if next.IsActive != target.IsActive {
		changes["is_active"] = next.IsActive
	}
	if next.IsAdmin != target.IsAdmin {
		changes["is_admin"] = next.IsAdmin
	}
	a.ExtraInfo["changes"] = changes
	a.ExtraInfo["sessions_revoked"] = revoked
	if err := tx.AddActivity(ctx, &a); err != nil {
		return User{}, err
	}

	s.Logger.Info("user updated", "user_id", target.ID, "actor_id", who.id, "via", who.via,
		"is_active", next.IsActive, "is_admin", next.IsAdmin, "sessions_revoked", revoked)
	next.UpdatedAt = now
	return next, nil
}

// userByID reads a user, turning a missing one into errNoUser.
func userByID(ctx context.Context, tx Tx, id int64) (User, error) {
	if id <= 0 {
		return User{}, errNoUser
	}
	u, err := tx.UserByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return User{}, errNoUser
	}
	return u, err
}

// adminActivity returns the activity row of an administrative action on target.
func adminActivity(event string, who actor, target User, c Client, now time.Time) Activity {
	a := activity(event, &target.ID, c, now)
	a.ExtraInfo["actor_id"] = who.id
	a.ExtraInfo["actor"] = who.name
	a.ExtraInfo["target_id"] = target.ID
	a.ExtraInfo["target"] = target.Username
	a.ExtraInfo["via"] = who.via
	return a
}

// operator is the actor of command-line actions.
func operator() actor { return actor{name: "operator", via: "cli"} }

// operatorClient is the client of command-line actions.
func operatorClient() Client { return Client{DeviceInfo: "Command line"} }
