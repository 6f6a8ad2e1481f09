package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/finintelli/auth/internal/auth"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// mapErr turns a driver error of operation op into the errors auth.Store promises: no rows
// is auth.ErrNotFound, a taken login key is ECONFLICT, a locked or unreadable file is
// EUNAVAILABLE. Messages meant for people never carry SQL; the cause stays in Err for logs.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: %s: %w", op, auth.ErrNotFound)
	}

	wrapped := fmt.Errorf("sqlite: %s: %w", op, err)
	var e *sqlite.Error
	if errors.As(err, &e) {
		switch code := e.Code(); {
		case code == sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			return conflict(e.Error(), wrapped)
		case unavailable(code & 0xff):
			return auth.Unavailable(wrapped)
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return auth.Unavailable(wrapped)
	}
	return wrapped
}

// unavailable reports whether a primary result code means the file cannot be used right now.
func unavailable(code int) bool {
	switch code {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN,
		sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY:
		return true
	}
	return false
}

// conflict maps a unique violation to an ECONFLICT error chosen by the column that failed,
// as SQLite names it in msg ("UNIQUE constraint failed: users.username_key"). A violation of
// any other index is not a conflict the service expects and stays an ordinary error.
func conflict(msg string, wrapped error) error {
	var text string
	switch {
	case strings.Contains(msg, "users.username_key"):
		text = "Username already registered"
	case strings.Contains(msg, "users.email_key"):
		text = "Email already registered"
	case strings.Contains(msg, "refresh_tokens.parent_id"):
		text = "Refresh token already replaced"
	default:
		return wrapped
	}
	return &auth.Error{Code: auth.ECONFLICT, Message: text, Err: wrapped}
}

// mapExec maps the result of an UPDATE of one row: no row changed means auth.ErrNotFound.
func mapExec(op string, res sql.Result, err error) error {
	if err != nil {
		return mapErr(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return mapErr(op, err)
	}
	if n == 0 {
		return mapErr(op, sql.ErrNoRows)
	}
	return nil
}
