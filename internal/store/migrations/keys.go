package migrations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/finintelli/auth/internal/auth"
	"github.com/pressly/goose/v3"
)

// loginKeysVersion is the version of the Go migration that fills the login keys.
const loginKeysVersion = 2

// legacyUser is a row whose login keys are still empty.
type legacyUser struct {
	id              int64
	username, email string
}

// loginKeysMigration returns migration 2: it fills username_key and email_key, with the same
// functions the service uses, for every user that has none, then makes sure no two users
// share a key before migration 3 makes the keys unique. It has no Down: the keys are kept.
func loginKeysMigration(dialect string) *goose.Migration {
	update := "UPDATE users SET username_key = $1, email_key = $2 WHERE id = $3"
	if dialect == SQLite {
		update = "UPDATE users SET username_key = ?, email_key = ? WHERE id = ?"
	}

	up := func(ctx context.Context, tx *sql.Tx) error {
		users, err := usersWithoutKeys(ctx, tx)
		if err != nil {
			return err
		}

		for _, u := range users {
			uk, ek := auth.UsernameKey(u.username), auth.EmailKey(u.email)
			if _, err := tx.ExecContext(ctx, update, uk, ek, u.id); err != nil {
				return fmt.Errorf("fill login keys of user %d: %w", u.id, err)
			}
		}

		if err := checkUnique(ctx, tx, "username_key", "usernames"); err != nil {
			return err
		}
		return checkUnique(ctx, tx, "email_key", "e-mail addresses")
	}
	return goose.NewGoMigration(loginKeysVersion, &goose.GoFunc{RunTx: up}, nil)
}

// usersWithoutKeys reads every user whose login keys are not set yet.
func usersWithoutKeys(ctx context.Context, tx *sql.Tx) ([]legacyUser, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT id, COALESCE(username, ''), COALESCE(email, '')
		FROM users
		WHERE username_key IS NULL OR email_key IS NULL
		ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read users without login keys: %w", err)
	}
	defer rows.Close()

	var users []legacyUser
	for rows.Next() {
		var u legacyUser
		if err := rows.Scan(&u.id, &u.username, &u.email); err != nil {
			return nil, fmt.Errorf("read users without login keys: %w", err)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read users without login keys: %w", err)
	}
	return users, nil
}

// checkUnique fails with an explanation an operator can act on when two users share a key:
// legacy data was unique only with case, so "Alice" and "alice" may both exist. The column
// name is one of two constants, never input.
func checkUnique(ctx context.Context, tx *sql.Tx, column, what string) error {
	var first, second int64
	err := tx.QueryRowContext(ctx, `
		SELECT MIN(id), MAX(id) FROM users
		GROUP BY `+column+`
		HAVING COUNT(*) > 1
		ORDER BY MIN(id)
		LIMIT 1`).Scan(&first, &second)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check unique %s: %w", column, err)
	}
	return fmt.Errorf("users %d and %d have %s that differ only in case or width; "+
		"change one of them, then migrate again", first, second, what)
}
