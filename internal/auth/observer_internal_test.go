package auth

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestOutcomeOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, "ok"},
		{"bad credentials", ErrInvalidCredentials, OutcomeInvalidCredentials},
		{"wrapped bad credentials", fmt.Errorf("x: %w", ErrInvalidCredentials),
			OutcomeInvalidCredentials},
		{"expired session", ErrSessionExpired, OutcomeRejected},
		{"missing field", Errorf(EINVALID, "Username and password are required"),
			OutcomeInvalidRequest},
		{"rate limited", &Error{Code: ERATELIMITED}, OutcomeRateLimited},
		{"database down", Unavailable(errors.New("connection refused")), OutcomeUnavailable},
		{"cancelled", Unavailable(context.Canceled), OutcomeUnavailable},
		{"internal", errors.New("boom"), OutcomeError},
		{"other code", Errorf(ECONFLICT, "taken"), OutcomeError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := outcomeOf(tt.err, "ok"); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRefreshOutcome(t *testing.T) {
	tests := []struct {
		name   string
		g      Grant
		replay bool
		err    error
		want   string
	}{
		{"rotated", Grant{}, false, nil, OutcomeRotated},
		{"grace hit", Grant{graceHit: true}, false, nil, OutcomeGraceHit},
		{"grace hit whose access token failed", Grant{graceHit: true}, false,
			errors.New("mint"), OutcomeError},
		{"replay", Grant{}, true, ErrSessionExpired, OutcomeReplay},
		{"replay not committed", Grant{}, true, Unavailable(errors.New("commit")),
			OutcomeUnavailable},
		{"rejected", Grant{}, false, ErrSessionExpired, OutcomeRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := refreshOutcome(tt.g, tt.replay, tt.err); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
