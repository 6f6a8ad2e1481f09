package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/finintelli/auth/internal/auth"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// mapErr turns a pgx error of operation op into the errors auth.Store promises: no rows is
// auth.ErrNotFound, a taken login key is ECONFLICT, a server that cannot be reached or is
// shutting down is EUNAVAILABLE. Messages meant for people never carry SQL; the cause stays
// in Err for logs.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: %s: %w", op, auth.ErrNotFound)
	}

	wrapped := fmt.Errorf("postgres: %s: %w", op, err)
	var authErr *auth.Error
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &authErr):
		return err
	case errors.Is(err, context.Canceled):
		// The caller gave up, which says nothing about the database.
		return wrapped
	case errors.As(err, &pgErr) && pgErr.Code == "23505":
		return conflict(pgErr, wrapped)
	case unreachable(err):
		return auth.Unavailable(wrapped)
	}
	return wrapped
}

// unreachable reports whether err means the database cannot serve requests right now:
// connecting failed, the connection broke, the server is shutting down or out of
// connections, or the caller's deadline passed while waiting for any of that.
func unreachable(err error) bool {
	// Any failure to connect counts, whatever the server said (such as 55000, a database
	// that does not accept connections).
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return unavailableState(pgErr.Code)
	}

	var netErr net.Error
	switch {
	case errors.As(err, &netErr):
		return true
	case pgconn.Timeout(err), pgconn.SafeToRetry(err):
		return true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, pgconn.ErrConnClosed):
		return true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE):
		return true
	}
	return false
}

// unavailableState reports whether a SQLSTATE says the server cannot serve now: class 08
// (connection exception), 53 (insufficient resources, such as too many connections), 57P01
// to 57P05 (admin or crash shutdown, cannot connect now, idle session timeout) and 57014
// (statement timeout).
func unavailableState(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "53"):
		return true
	case strings.HasPrefix(code, "57P"), code == "57014":
		return true
	}
	return false
}

// conflict maps a unique violation to an ECONFLICT error chosen by the table and the
// constraint that failed. Matching on a part of the name also covers the unique constraints
// of a legacy schema on the raw columns (users_username_key, or ix_users_username when made
// by SQLAlchemy). A violation of any other constraint is not a conflict the service expects
// and stays an ordinary error.
func conflict(e *pgconn.PgError, wrapped error) error {
	var msg string
	switch {
	case e.TableName == "users" && strings.Contains(e.ConstraintName, "email"):
		msg = "Email already registered"
	case e.TableName == "users" && strings.Contains(e.ConstraintName, "username"):
		msg = "Username already registered"
	case e.TableName == "refresh_tokens" && strings.Contains(e.ConstraintName, "parent_id"):
		msg = "Refresh token already replaced"
	default:
		return wrapped
	}
	return &auth.Error{Code: auth.ECONFLICT, Message: msg, Err: wrapped}
}

// mapExec maps the result of an UPDATE of one row: no row changed means auth.ErrNotFound.
func mapExec(op string, tag pgconn.CommandTag, err error) error {
	if err != nil {
		return mapErr(op, err)
	}
	if tag.RowsAffected() == 0 {
		return mapErr(op, pgx.ErrNoRows)
	}
	return nil
}
