package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// userColumns are the columns userDest scans, from users aliased as u. Columns of a legacy
// schema may be NULL, which reads as the zero value (an inactive user, an empty hash).
const userColumns = `u.id, COALESCE(u.username, ''), COALESCE(u.email, ''), u.username_key,
	u.email_key, COALESCE(u.hashed_password, ''), COALESCE(u.is_active, false),
	COALESCE(u.is_admin, false), u.created_at, u.updated_at`

// userDest returns the scan destinations of userColumns.
func userDest(u *auth.User) []any {
	return []any{&u.ID, &u.Username, &u.Email, &u.UsernameKey, &u.EmailKey,
		&u.HashedPassword, &u.IsActive, &u.IsAdmin, &u.CreatedAt, &u.UpdatedAt}
}

// CreateUser inserts u and sets its ID, CreatedAt (now, unless set) and UpdatedAt (equal to
// CreatedAt). Empty login keys are derived from Username and Email.
func (t *tx) CreateUser(ctx context.Context, u *auth.User) error {
	uk, ek := u.UsernameKey, u.EmailKey
	if uk == "" {
		uk = auth.UsernameKey(u.Username)
	}
	if ek == "" {
		ek = auth.EmailKey(u.Email)
	}
	created := stamp(u.CreatedAt)

	var id int64
	err := t.tx.QueryRow(ctx, `
		INSERT INTO users (username, email, username_key, email_key, hashed_password,
			is_active, is_admin, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
		RETURNING id`,
		u.Username, u.Email, uk, ek, u.HashedPassword, u.IsActive, u.IsAdmin, created).
		Scan(&id)
	if err != nil {
		return mapErr("create user", err)
	}

	u.ID, u.UsernameKey, u.EmailKey = id, uk, ek
	u.CreatedAt, u.UpdatedAt = created, created
	return nil
}

// UserByID returns the user with that id, or auth.ErrNotFound.
func (t *tx) UserByID(ctx context.Context, id int64) (auth.User, error) {
	var u auth.User
	err := t.tx.QueryRow(ctx,
		`SELECT `+userColumns+` FROM users u WHERE u.id = $1`, id).Scan(userDest(&u)...)
	if err != nil {
		return auth.User{}, mapErr(fmt.Sprintf("user %d", id), err)
	}
	return u, nil
}

// UserByLogin returns the user whose username key or e-mail key is key, or auth.ErrNotFound.
func (t *tx) UserByLogin(ctx context.Context, key string) (auth.User, error) {
	var u auth.User
	err := t.tx.QueryRow(ctx, `
		SELECT `+userColumns+` FROM users u
		WHERE u.username_key = $1 OR u.email_key = $1
		ORDER BY u.id
		LIMIT 1`, key).Scan(userDest(&u)...)
	if err != nil {
		return auth.User{}, mapErr("user by login", err)
	}
	return u, nil
}

// SetPasswordHash replaces a user's password hash; auth.ErrNotFound if there is no such user.
func (t *tx) SetPasswordHash(ctx context.Context, userID int64, hash string,
	at time.Time) error {
	tag, err := t.tx.Exec(ctx,
		`UPDATE users SET hashed_password = $2, updated_at = $3 WHERE id = $1`,
		userID, hash, stamp(at))
	return mapExec(fmt.Sprintf("set password of user %d", userID), tag, err)
}
