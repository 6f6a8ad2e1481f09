package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// userColumns are the columns userDest scans, from users aliased as u.
const userColumns = `u.id, u.username, u.email, u.username_key, u.email_key,
	u.hashed_password, u.is_active, u.is_admin, u.created_at, u.updated_at`

// userDest returns the scan destinations of userColumns.
func userDest(u *auth.User) []any {
	return []any{&u.ID, &u.Username, &u.Email, &u.UsernameKey, &u.EmailKey,
		&u.HashedPassword, &u.IsActive, &u.IsAdmin,
		timeText{t: &u.CreatedAt}, timeText{t: &u.UpdatedAt}}
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
	err := t.tx.QueryRowContext(ctx, `
		INSERT INTO users (username, email, username_key, email_key, hashed_password,
			is_active, is_admin, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`,
		u.Username, u.Email, uk, ek, u.HashedPassword, u.IsActive, u.IsAdmin,
		formatTime(created), formatTime(created)).Scan(&id)
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
	err := t.tx.QueryRowContext(ctx,
		`SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id).Scan(userDest(&u)...)
	if err != nil {
		return auth.User{}, mapErr(fmt.Sprintf("user %d", id), err)
	}
	return u, nil
}

// UserByLogin returns the user whose username key or e-mail key is key, or auth.ErrNotFound.
func (t *tx) UserByLogin(ctx context.Context, key string) (auth.User, error) {
	var u auth.User
	err := t.tx.QueryRowContext(ctx, `
		SELECT `+userColumns+` FROM users u
		WHERE u.username_key = ? OR u.email_key = ?
		ORDER BY u.id
		LIMIT 1`, key, key).Scan(userDest(&u)...)
	if err != nil {
		return auth.User{}, mapErr("user by login", err)
	}
	return u, nil
}

// SetPasswordHash replaces a user's password hash; auth.ErrNotFound if there is no such user.
func (t *tx) SetPasswordHash(ctx context.Context, userID int64, hash string,
	at time.Time) error {
	res, err := t.tx.ExecContext(ctx,
		`UPDATE users SET hashed_password = ?, updated_at = ? WHERE id = ?`,
		hash, formatTime(stamp(at)), userID)
	return mapExec(fmt.Sprintf("set password of user %d", userID), res, err)
}
