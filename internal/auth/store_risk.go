package auth

import (
	"context"
	"time"
)

// RiskQueries are the store operations the risk engine reads its signals with. They read
// the activity log only. A "successful login" is a row of EventLoginSuccess or
// EventRegister: registering logs the new account in from that device and place.
type RiskQueries interface {
	// LastLogin returns the user's latest successful login, or ErrNotFound when there is
	// none.
	LastLogin(ctx context.Context, userID int64) (PastLogin, error)
	// DeviceSeen reports whether the user had a successful login at or after since whose
	// device_info equals device.
	DeviceSeen(ctx context.Context, userID int64, device string, since time.Time) (bool,
		error)
	// CountrySeen reports whether the user ever had a successful login from country.
	CountrySeen(ctx context.Context, userID int64, country string) (bool, error)
	// FailedLoginTimes returns the times of the user's failed logins at or after since,
	// newest first, at most limit of them.
	FailedLoginTimes(ctx context.Context, userID int64, since time.Time, limit int) (
		[]time.Time, error)
	// FailedAccountsFromIP counts the distinct accounts that failed logins from ip at or
	// after since named: known users by id, unknown names by the attempted_username of
	// their extra_info.
	FailedAccountsFromIP(ctx context.Context, ip string, since time.Time) (int, error)
}

// PastLogin is a successful login as the activity log recorded it.
type PastLogin struct {
	At         time.Time
	DeviceInfo string
	City       string
	Country    string
	Latitude   *float64
	Longitude  *float64
}
