package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// runRisk runs the contract tests of auth.RiskQueries and of the coordinates in the log.
func runRisk(t *testing.T, s auth.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s auth.Store)
	}{
		{"Coordinates", testCoordinates},
		{"LastLogin", testLastLogin},
		{"DeviceSeen", testDeviceSeen},
		{"CountrySeen", testCountrySeen},
		{"FailedLoginTimes", testFailedLoginTimes},
		{"FailedAccountsFromIP", testFailedAccountsFromIP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, s) })
	}
}

// event describes an activity row for the risk tests.
type event struct {
	user     *int64
	kind     string
	at       time.Time
	ip       string
	device   string
	country  string
	lat, lon *float64
	extra    map[string]any
}

// addEvents writes the events in one transaction and returns their ids.
func addEvents(t *testing.T, s auth.Store, events ...event) []int64 {
	t.Helper()
	ids := make([]int64, len(events))
	inTx(t, s, func(tx auth.Tx) error {
		for i, e := range events {
			a := auth.Activity{UserID: e.user, EventType: e.kind, CreatedAt: e.at,
				Client: auth.Client{IP: e.ip, DeviceInfo: e.device, Country: e.country,
					City: "City of " + e.country, Latitude: e.lat, Longitude: e.lon},
				ExtraInfo: e.extra}
			if err := tx.AddActivity(t.Context(), &a); err != nil {
				return err
			}
			ids[i] = a.ID
		}
		return nil
	})
	return ids
}

func fptr(f float64) *float64 { return &f }

func fmtFloatPtr(f *float64) string {
	if f == nil {
		return "nil"
	}
	return fmt.Sprint(*f)
}

func testCoordinates(t *testing.T, s auth.Store) {
	u := createUser(t, s, "located")
	tests := []struct {
		name     string
		lat, lon *float64
	}{
		{"both", fptr(-33.8688), fptr(151.209)},
		{"extremes", fptr(-90), fptr(180)},
		{"zero is a place", fptr(0), fptr(0)},
		{"unknown", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := addEvents(t, s, event{user: &u.ID, kind: auth.EventLoginSuccess, at: base,
				lat: tt.lat, lon: tt.lon})[0]
			got, err := activityReader(t, s).ActivityByID(t.Context(), id)
			if err != nil {
				t.Fatalf("ActivityByID: %v", err)
			}
			gotPos := fmtFloatPtr(got.Client.Latitude) + "," + fmtFloatPtr(got.Client.Longitude)
			wantPos := fmtFloatPtr(tt.lat) + "," + fmtFloatPtr(tt.lon)
			if gotPos != wantPos {
				t.Errorf("coordinates: got %s, want %s", gotPos, wantPos)
			}
		})
	}
}

func testLastLogin(t *testing.T, s auth.Store) {
	u := createUser(t, s, "traveller")
	other := createUser(t, s, "other")
	lastLogin := func() (auth.PastLogin, error) {
		var p auth.PastLogin
		err := s.InTx(t.Context(), func(tx auth.Tx) (err error) {
			p, err = tx.LastLogin(t.Context(), u.ID)
			return err
		})
		return p, err
	}

	if _, err := lastLogin(); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("no history: got error %v, want ErrNotFound", err)
	}
	addEvents(t, s,
		event{user: &u.ID, kind: auth.EventLoginFailed, at: base.Add(5 * time.Hour)},
		event{user: &other.ID, kind: auth.EventLoginSuccess, at: base.Add(6 * time.Hour)})
	if _, err := lastLogin(); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("only failures: got error %v, want ErrNotFound", err)
	}

	addEvents(t, s,
		event{user: &u.ID, kind: auth.EventRegister, at: base, device: "A", country: "CH",
			lat: fptr(47.37), lon: fptr(8.54)},
		event{user: &u.ID, kind: auth.EventLoginSuccess, at: base.Add(2 * time.Hour),
			device: "B", country: "AU", lat: fptr(-33.87), lon: fptr(151.21)},
		event{user: &u.ID, kind: auth.EventLoginSuccess, at: base.Add(time.Hour),
			device: "C", country: "DE"},
		event{user: &u.ID, kind: auth.EventRefresh, at: base.Add(3 * time.Hour), device: "D"})
	p, err := lastLogin()
	if err != nil {
		t.Fatalf("LastLogin: %v", err)
	}
	got := fmt.Sprintf("at=%s device=%q city=%q country=%q lat=%s lon=%s", fmtTime(p.At),
		p.DeviceInfo, p.City, p.Country, fmtFloatPtr(p.Latitude), fmtFloatPtr(p.Longitude))
	want := fmt.Sprintf("at=%s device=%q city=%q country=%q lat=%s lon=%s",
		fmtTime(base.Add(2*time.Hour)), "B", "City of AU", "AU", "-33.87", "151.21")
	if got != want {
		t.Errorf("LastLogin:\n got %s\nwant %s", got, want)
	}
}

func testDeviceSeen(t *testing.T, s auth.Store) {
	u := createUser(t, s, "devices")
	other := createUser(t, s, "someone")
	addEvents(t, s,
		event{user: &u.ID, kind: auth.EventRegister, at: base, device: "Old"},
		event{user: &u.ID, kind: auth.EventLoginSuccess, at: base.Add(time.Hour),
			device: "Firefox on Linux (desktop)"},
		event{user: &u.ID, kind: auth.EventLoginFailed, at: base.Add(time.Hour),
			device: "Failed only"},
		event{user: &u.ID, kind: auth.EventRefresh, at: base.Add(time.Hour),
			device: "Refresh only"},
		event{user: &other.ID, kind: auth.EventLoginSuccess, at: base.Add(time.Hour),
			device: "Theirs"})

	tests := []struct {
		device string
		since  time.Time
		want   bool
	}{
		{"Firefox on Linux (desktop)", base, true},
		{"Firefox on Linux (desktop)", base.Add(time.Hour), true}, // since is inclusive
		{"Firefox on Linux (desktop)", base.Add(time.Hour + time.Microsecond), false},
		{"Old", base, true},
		{"Old", base.Add(time.Second), false},
		{"Failed only", base, false},
		{"Refresh only", base, false},
		{"Theirs", base, false},
		{"firefox on linux (desktop)", base, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s since %s", tt.device, fmtTime(tt.since)), func(t *testing.T) {
			var got bool
			inTx(t, s, func(tx auth.Tx) (err error) {
				got, err = tx.DeviceSeen(t.Context(), u.ID, tt.device, tt.since)
				return err
			})
			if got != tt.want {
				t.Errorf("DeviceSeen: got %t, want %t", got, tt.want)
			}
		})
	}
}

func testCountrySeen(t *testing.T, s auth.Store) {
	u := createUser(t, s, "countries")
	other := createUser(t, s, "elsewhere")
	addEvents(t, s,
		event{user: &u.ID, kind: auth.EventRegister, at: base, country: "CH"},
		event{user: &u.ID, kind: auth.EventLoginSuccess, at: base.Add(-400 * 24 * time.Hour),
			country: "NZ"},
		event{user: &u.ID, kind: auth.EventLoginFailed, at: base, country: "RU"},
		event{user: &other.ID, kind: auth.EventLoginSuccess, at: base, country: "BR"})

	tests := []struct {
		country string
		want    bool
	}{
		{"CH", true},
		{"NZ", true}, // however long ago
		{"RU", false},
		{"BR", false},
		{"ch", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.country, func(t *testing.T) {
			var got bool
			inTx(t, s, func(tx auth.Tx) (err error) {
				got, err = tx.CountrySeen(t.Context(), u.ID, tt.country)
				return err
			})
			if got != tt.want {
				t.Errorf("CountrySeen(%q): got %t, want %t", tt.country, got, tt.want)
			}
		})
	}
}

func testFailedLoginTimes(t *testing.T, s auth.Store) {
	u := createUser(t, s, "failing")
	other := createUser(t, s, "bystander")
	var events []event
	for _, m := range []int{0, 30, 10, 50, 20, 40} {
		events = append(events, event{user: &u.ID, kind: auth.EventLoginFailed,
			at: base.Add(time.Duration(m) * time.Minute)})
	}
	events = append(events,
		event{user: &u.ID, kind: auth.EventLoginSuccess, at: base.Add(45 * time.Minute)},
		event{user: &u.ID, kind: auth.EventRateLimited, at: base.Add(45 * time.Minute)},
		event{user: &other.ID, kind: auth.EventLoginFailed, at: base.Add(45 * time.Minute)})
	addEvents(t, s, events...)

	minutes := func(ms ...int) []string {
		var out []string
		for _, m := range ms {
			out = append(out, fmtTime(base.Add(time.Duration(m)*time.Minute)))
		}
		return out
	}
	tests := []struct {
		name  string
		since time.Time
		limit int
		want  []string
	}{
		{"all, newest first", base, 100, minutes(50, 40, 30, 20, 10, 0)},
		{"since is inclusive", base.Add(20 * time.Minute), 100, minutes(50, 40, 30, 20)},
		{"limit keeps the newest", base, 2, minutes(50, 40)},
		{"none after", base.Add(time.Hour), 100, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var times []time.Time
			inTx(t, s, func(tx auth.Tx) (err error) {
				times, err = tx.FailedLoginTimes(t.Context(), u.ID, tt.since, tt.limit)
				return err
			})
			var got []string
			for _, at := range times {
				got = append(got, fmtTime(at))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("FailedLoginTimes:\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func testFailedAccountsFromIP(t *testing.T, s auth.Store) {
	a := createUser(t, s, "sprayed_a")
	b := createUser(t, s, "sprayed_b")
	const ip = "203.0.113.9"
	name := func(n string) map[string]any { return map[string]any{"attempted_username": n} }
	addEvents(t, s,
		event{user: &a.ID, kind: auth.EventLoginFailed, at: base, ip: ip},
		event{user: &a.ID, kind: auth.EventLoginFailed, at: base.Add(time.Minute), ip: ip},
		event{user: &b.ID, kind: auth.EventLoginFailed, at: base.Add(2 * time.Minute), ip: ip},
		event{kind: auth.EventLoginFailed, at: base.Add(3 * time.Minute), ip: ip,
			extra: name("ghost1")},
		event{kind: auth.EventLoginFailed, at: base.Add(4 * time.Minute), ip: ip,
			extra: name("ghost1")},
		event{kind: auth.EventLoginFailed, at: base.Add(5 * time.Minute), ip: ip,
			extra: name("ghost2")},
		event{kind: auth.EventLoginFailed, at: base.Add(5 * time.Minute), ip: ip},
		event{kind: auth.EventLoginFailed, at: base.Add(5 * time.Minute), ip: "203.0.113.10",
			extra: name("ghost3")},
		event{user: &b.ID, kind: auth.EventLoginSuccess, at: base.Add(6 * time.Minute), ip: ip},
		event{kind: auth.EventRateLimited, at: base.Add(6 * time.Minute), ip: ip,
			extra: name("ghost4")})

	tests := []struct {
		name  string
		ip    string
		since time.Time
		want  int
	}{
		{"users by id, unknown names by name", ip, base, 4},
		{"since is inclusive", ip, base.Add(2 * time.Minute), 3},
		{"only the newest", ip, base.Add(4 * time.Minute), 2},
		{"another address", "203.0.113.10", base, 1},
		{"an address with no failures", "198.51.100.1", base, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got int
			inTx(t, s, func(tx auth.Tx) (err error) {
				got, err = tx.FailedAccountsFromIP(t.Context(), tt.ip, tt.since)
				return err
			})
			if got != tt.want {
				t.Errorf("FailedAccountsFromIP(%s): got %d, want %d", tt.ip, got, tt.want)
			}
		})
	}
}
