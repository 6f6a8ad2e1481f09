package storetest

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/finintelli/auth/internal/auth"
)

// activityReader returns s as an ActivityReader, which every store must also be.
func activityReader(t *testing.T, s auth.Store) ActivityReader {
	t.Helper()
	r, ok := s.(ActivityReader)
	if !ok {
		t.Fatalf("%T does not implement storetest.ActivityReader", s)
	}
	return r
}

// fmtActivity renders every stored field of a except ExtraInfo.
func fmtActivity(a auth.Activity) string {
	login := "nil"
	if a.LoginSuccess != nil {
		login = fmt.Sprint(*a.LoginSuccess)
	}
	return fmt.Sprintf("id=%d user=%s event=%q ip=%q ua=%q device=%q city=%q country=%q "+
		"login=%s risk=%g created=%s", a.ID, fmtInt64Ptr(a.UserID), a.EventType, a.Client.IP,
		a.Client.UserAgent, a.Client.DeviceInfo, a.Client.City, a.Client.Country, login,
		a.RiskScore, fmtTime(a.CreatedAt))
}

func testActivity(t *testing.T, s auth.Store) {
	u := createUser(t, s, "watched")
	yes, no := true, false

	tests := []struct {
		name      string
		in        auth.Activity
		wantExtra map[string]any
	}{
		{
			name:      "anonymous without extra info",
			in:        auth.Activity{EventType: auth.EventRateLimited},
			wantExtra: map[string]any{},
		},
		{
			name: "failed login of unknown user",
			in: auth.Activity{EventType: auth.EventLoginFailed, LoginSuccess: &no,
				RiskScore: 0.75, CreatedAt: base,
				Client: auth.Client{IP: "2001:db8::1", UserAgent: "curl/8.5", City: "Unknown",
					Country: "Unknown"},
				ExtraInfo: map[string]any{"login": "nobody", "reasons": []any{"unknown_user"}}},
			wantExtra: map[string]any{"login": "nobody", "reasons": []any{"unknown_user"}},
		},
		{
			name: "login of a user with nested extra info",
			in: auth.Activity{UserID: &u.ID, EventType: auth.EventLoginSuccess,
				LoginSuccess: &yes, RiskScore: 0.1, CreatedAt: base,
				Client: auth.Client{IP: "192.0.2.7", DeviceInfo: "Firefox on Linux",
					City: "Zürich", Country: "CH"},
				ExtraInfo: map[string]any{"session_id": "s1", "attempts": 3,
					"geo": map[string]any{"new_country": true, "note": "\"quoted\" ünïcode"}}},
			wantExtra: map[string]any{"session_id": "s1", "attempts": float64(3),
				"geo": map[string]any{"new_country": true, "note": "\"quoted\" ünïcode"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.in
			inTx(t, s, func(tx auth.Tx) error { return tx.AddActivity(t.Context(), &a) })
			if a.ID <= 0 || a.CreatedAt.IsZero() {
				t.Fatalf("AddActivity: got ID %d, CreatedAt %v; want both set", a.ID, a.CreatedAt)
			}

			got, err := activityReader(t, s).ActivityByID(t.Context(), a.ID)
			if err != nil {
				t.Fatalf("ActivityByID: %v", err)
			}
			if fmtActivity(got) != fmtActivity(a) {
				t.Errorf("ActivityByID:\n got %s\nwant %s", fmtActivity(got), fmtActivity(a))
			}
			if !reflect.DeepEqual(got.ExtraInfo, tt.wantExtra) {
				t.Errorf("ExtraInfo: got %#v, want %#v", got.ExtraInfo, tt.wantExtra)
			}
		})
	}
}
