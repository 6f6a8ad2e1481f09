package geo_test

import (
	"net/netip"
	"os"
	"testing"

	"github.com/finintelli/auth/internal/geo"
)

// TestRealDatabase looks well-known public addresses up in the DB-IP City Lite files that
// scripts/geoip installs, at the folder GEOIP_REAL_DB names. It is skipped when that is
// unset, except with CI=true, where .ci/run installs the files and it must run.
func TestRealDatabase(t *testing.T) {
	dir := os.Getenv("GEOIP_REAL_DB")
	if dir == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("GEOIP_REAL_DB is not set; with CI=true the real database must be " +
				"installed (scripts/geoip) and named there")
		}
		t.Skip("GEOIP_REAL_DB is not set; run scripts/geoip and set it to the folder printed")
	}
	r, err := geo.Open(dir, geo.Options{Poll: -1})
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	defer r.Close()

	tests := []struct {
		name    string
		ip      string
		country string // "" means any ISO code
	}{
		{"Google Public DNS", "8.8.8.8", "US"},
		{"Google Public DNS, mapped", "::ffff:8.8.8.8", "US"},
		{"RIPE NCC", "193.0.6.139", "NL"},
		{"RIPE NCC over IPv6", "2001:67c:2e8:22::c100:68b", "NL"},
		{"Wikimedia over IPv6", "2620:0:862:ed1a::1", "US"},
		{"Cloudflare DNS, anycast", "1.1.1.1", ""},
		{"Google Public DNS over IPv6, anycast", "2001:4860:4860::8888", ""},
		{"private", "10.0.0.1", geo.Local},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Lookup(netip.MustParseAddr(tt.ip))
			switch {
			case tt.country == "" && !isISOCode(got.Country):
				t.Errorf("Lookup(%s): got country %q, want an ISO code", tt.ip, got.Country)
			case tt.country != "" && got.Country != tt.country:
				t.Errorf("Lookup(%s): got country %q, want %q", tt.ip, got.Country,
					tt.country)
			}
			if isISOCode(got.Country) && (got.Latitude == nil || got.Longitude == nil) {
				t.Errorf("Lookup(%s): got no coordinates, want the city's", tt.ip)
			}
		})
	}
}

func isISOCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}
