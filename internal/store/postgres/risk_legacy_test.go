package postgres_test

import (
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/testenv"
)

// legacyFailures are failed logins in a legacy log: json extra_info of every shape,
// timestamps without a time zone, and NULLs.
const legacyFailures = `
INSERT INTO user_activity_logs (user_id, event_type, ip_address, extra_info, created_at)
VALUES
    (NULL, 'login_failed', '198.51.100.4', '{"attempted_username": "ghost"}',
        '2024-06-01 12:05:00'),
    (NULL, 'login_failed', '198.51.100.4', '["not", "an", "object"]', '2024-06-01 12:06:00'),
    (NULL, 'login_failed', '198.51.100.4', '"text"', '2024-06-01 12:07:00'),
    (NULL, 'login_failed', '198.51.100.4', NULL, '2024-06-01 12:08:00'),
    (1, 'login_failed', '198.51.100.4', NULL, '2024-06-01 12:09:00'),
    (1, 'login_success', '198.51.100.4', NULL, NULL);
`

// TestLegacyRisk runs the risk engine's queries on an upgraded legacy database.
func TestLegacyRisk(t *testing.T) {
	url := testenv.Postgres(t)
	adminExec(t, url, legacySchema)
	adminExec(t, url, legacyRows)
	adminExec(t, url, legacyFailures)
	s := openStore(t, url)
	since := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

	var last auth.PastLogin
	var germany bool
	var accounts int
	var failures []time.Time
	err := s.InTx(t.Context(), func(tx auth.Tx) (err error) {
		if last, err = tx.LastLogin(t.Context(), 1); err != nil {
			return err
		}
		if germany, err = tx.CountrySeen(t.Context(), 1, "DE"); err != nil {
			return err
		}
		if failures, err = tx.FailedLoginTimes(t.Context(), 1, since, 10); err != nil {
			return err
		}
		accounts, err = tx.FailedAccountsFromIP(t.Context(), "198.51.100.4", since)
		return err
	})
	if err != nil {
		t.Fatalf("risk queries: %v", err)
	}

	// The row with a NULL time sorts last, so the dated login is the latest one.
	wantAt := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	if !last.At.Equal(wantAt) || last.Country != "DE" || last.City != "Berlin" ||
		last.Latitude != nil {
		t.Errorf("LastLogin: got %+v, want Berlin, DE at %v without coordinates", last, wantAt)
	}
	if !germany {
		t.Errorf("CountrySeen(DE): got false, want true")
	}
	wantFailure := time.Date(2024, 6, 1, 12, 9, 0, 0, time.UTC)
	if len(failures) != 1 || !failures[0].Equal(wantFailure) {
		t.Errorf("FailedLoginTimes: got %v, want [%v]", failures, wantFailure)
	}
	if accounts != 2 {
		t.Errorf("FailedAccountsFromIP: got %d, want 2 (user 1 and ghost)", accounts)
	}
}
