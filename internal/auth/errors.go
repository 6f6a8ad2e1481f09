package auth

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an error so that the web layer can map it to a status in one place.
type Code string

// Error codes returned by the service and the stores.
const (
	EINVALID      Code = "invalid"      // the caller sent something malformed or against policy
	ECONFLICT     Code = "conflict"     // a unique value (username, e-mail) is taken
	EUNAUTHORIZED Code = "unauthorized" // missing, bad or revoked credentials
	EFORBIDDEN    Code = "forbidden"    // authenticated, but not allowed
	ENOTFOUND     Code = "not_found"    // no such thing (or not the caller's)
	ERATELIMITED  Code = "rate_limited" // too many attempts; RetryAfter says when to come back
	EUNAVAILABLE  Code = "unavailable"  // a dependency is down or overloaded; try again later
	EINTERNAL     Code = "internal"     // a bug or an unexpected failure
	ETOOLARGE     Code = "too_large"    // a request body over the limit
	EUNSUPPORTED  Code = "unsupported"  // a body of an unsupported media type
)

// Error is the one error type of the service. Message is safe to show to a person; Err keeps
// the underlying cause for logs and is never shown.
type Error struct {
	Code       Code
	Message    string
	RetryAfter time.Duration
	Err        error
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("auth %s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("auth %s: %s", e.Code, e.Message)
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a message for a person.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Unavailable wraps err, a failure of a dependency that may pass, as an EUNAVAILABLE error.
func Unavailable(err error) *Error {
	return &Error{Code: EUNAVAILABLE, Message: "Service temporarily unavailable",
		RetryAfter: 5 * time.Second, Err: err}
}

// ErrorCode returns the code of err, or EINTERNAL when err is not an *Error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// IsCode reports whether err carries the given code.
func IsCode(err error, code Code) bool {
	return err != nil && ErrorCode(err) == code
}

// Sentinel errors shared by the stores and the service.
var (
	// ErrNotFound is returned by stores when a looked-up row does not exist.
	ErrNotFound = &Error{Code: ENOTFOUND, Message: "Not found"}

	// ErrInvalidCredentials is the one answer to a failed login, whatever the cause.
	ErrInvalidCredentials = &Error{Code: EUNAUTHORIZED, Message: "Invalid credentials"}

	// ErrSessionExpired is returned when a refresh token cannot be used any more.
	ErrSessionExpired = &Error{Code: EUNAUTHORIZED, Message: "Session expired or revoked"}
)
