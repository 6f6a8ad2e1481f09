package auth_test

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// now is the time of the logins the table scores.
var now = time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)

// place is a city with its coordinates.
type place struct {
	city, country string
	lat, lon      float64
}

var (
	zurich = place{"Zürich", "CH", 47.3769, 8.5417}
	geneva = place{"Geneva", "CH", 46.2044, 6.1432} // 224 km from Zürich
	london = place{"London", "GB", 51.5074, -0.1278}
	sydney = place{"Sydney", "AU", -33.8688, 151.2093}
)

// from returns a client at p on a known device.
func from(p place) auth.Client {
	lat, lon := p.lat, p.lon
	return auth.Client{IP: "203.0.113.5", DeviceInfo: "Firefox on Linux (desktop)",
		City: p.city, Country: p.country, Latitude: &lat, Longitude: &lon}
}

// nowhere is a client that the geolocation database cannot place.
func nowhere(country string) auth.Client {
	return auth.Client{IP: "10.0.0.5", DeviceInfo: "Firefox on Linux (desktop)",
		Country: country}
}

// loginAt is a previous successful login at p, ago before now.
func loginAt(p place, ago time.Duration) *auth.PastLogin {
	lat, lon := p.lat, p.lon
	return &auth.PastLogin{At: now.Add(-ago), City: p.city, Country: p.country,
		Latitude: &lat, Longitude: &lon, DeviceInfo: "Firefox on Linux (desktop)"}
}

// failures returns n failed logins spread over the last hour, ending just before now.
func failures(n int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = now.Add(-time.Duration(i+1) * time.Minute)
	}
	return out
}

// steady returns perHour failed logins in every hour of the week before the last hour.
func steady(perHour int) []time.Time {
	var out []time.Time
	for h := 1; h <= 7*24; h++ {
		for i := range perHour {
			out = append(out, now.Add(-time.Duration(h)*time.Hour-
				time.Duration(i+1)*time.Minute))
		}
	}
	return out
}

// fmtRisk renders a Risk as "score [signal=contribution ...]".
func fmtRisk(r auth.Risk) string {
	parts := make([]string, len(r.Reasons))
	for i, reason := range r.Reasons {
		parts[i] = fmt.Sprintf("%s=%g", reason.Signal, reason.Contribution)
	}
	return fmt.Sprintf("%g [%s]", r.Score, strings.Join(parts, " "))
}

func TestScore(t *testing.T) {
	known := func(in auth.RiskInput) auth.RiskInput {
		in.DeviceSeen, in.CountrySeen = true, true
		return in
	}
	tests := []struct {
		name string
		in   auth.RiskInput
		want string
	}{
		{"first login ever",
			auth.RiskInput{Now: now, Client: from(sydney)}, "0 []"},
		{"known device and country",
			known(auth.RiskInput{Now: now, Client: from(zurich),
				Previous: loginAt(zurich, 24*time.Hour)}), "0 []"},
		{"new device",
			auth.RiskInput{Now: now, Client: from(zurich), CountrySeen: true,
				Previous: loginAt(zurich, 24*time.Hour)}, "0.3 [new_device=0.3]"},
		{"new country, no coordinates",
			auth.RiskInput{Now: now, Client: nowhere("AU"), DeviceSeen: true,
				Previous: loginAt(zurich, time.Hour)}, "0.4 [new_country=0.4]"},
		{"no geo data",
			auth.RiskInput{Now: now, Client: nowhere(""), DeviceSeen: true,
				Previous: loginAt(zurich, time.Minute)}, "0 []"},
		{"private address",
			auth.RiskInput{Now: now, Client: nowhere("Local"), DeviceSeen: true,
				Previous: loginAt(sydney, time.Minute)}, "0 []"},
		{"unlisted address",
			auth.RiskInput{Now: now, Client: nowhere("Unknown"), DeviceSeen: true,
				Previous: loginAt(sydney, time.Minute)}, "0 []"},
		{"previous login without coordinates",
			known(auth.RiskInput{Now: now, Client: from(sydney),
				Previous: &auth.PastLogin{At: now.Add(-time.Minute), Country: "CH"}}), "0 []"},
		{"same city a minute later",
			known(auth.RiskInput{Now: now, Client: from(zurich),
				Previous: loginAt(zurich, time.Minute)}), "0 []"},
		{"next city, within geolocation error",
			known(auth.RiskInput{Now: now, Client: from(geneva),
				Previous: loginAt(zurich, time.Minute)}), "0 []"},
		{"a plausible flight",
			known(auth.RiskInput{Now: now, Client: from(london),
				Previous: loginAt(zurich, 2*time.Hour)}), "0 []"},
		{"Zürich to London in 30 minutes",
			known(auth.RiskInput{Now: now, Client: from(london),
				Previous: loginAt(zurich, 30*time.Minute)}), "0.69 [impossible_travel=0.69]"},
		{"Zürich to Sydney in an hour, a new country",
			auth.RiskInput{Now: now, Client: from(sydney), DeviceSeen: true,
				Previous: loginAt(zurich, time.Hour)},
			"0.88 [new_country=0.4 impossible_travel=0.8]"},
		{"clock skew: the previous login is in the future",
			known(auth.RiskInput{Now: now, Client: from(sydney),
				Previous: loginAt(zurich, -30*time.Second)}), "0.8 [impossible_travel=0.8]"},
		{"clock skew in the same city",
			known(auth.RiskInput{Now: now, Client: from(zurich),
				Previous: loginAt(zurich, -time.Hour)}), "0 []"},
		{"previous login with a zero time",
			known(auth.RiskInput{Now: now, Client: from(sydney),
				Previous: &auth.PastLogin{Latitude: &zurich.lat, Longitude: &zurich.lon}}),
			"0 []"},
		{"burst below the minimum count",
			known(auth.RiskInput{Now: now, Client: from(zurich),
				Previous: loginAt(zurich, time.Hour), Failures: failures(4)}), "0 []"},
		{"burst at the minimum count, no baseline",
			known(auth.RiskInput{Now: now, Client: from(zurich),
				Previous: loginAt(zurich, time.Hour), Failures: failures(5)}),
			"0.4167 [failure_burst=0.4167]"},
		{"steady failures, one short of the z threshold",
			known(auth.RiskInput{Now: now, Client: from(zurich),
				Previous: loginAt(zurich, time.Hour),
				Failures: append(steady(3), failures(5)...)}), "0 []"},
		{"steady failures, a burst right at the z threshold",
			known(auth.RiskInput{Now: now, Client: from(zurich),
				Previous: loginAt(zurich, time.Hour),
				Failures: append(steady(3), failures(6)...)}), "0.25 [failure_burst=0.25]"},
		{"failures older than the baseline are ignored",
			known(auth.RiskInput{Now: now, Client: from(zurich),
				Previous: loginAt(zurich, time.Hour),
				Failures: []time.Time{now.Add(-9 * 24 * time.Hour), now.Add(-10 * 24 * time.Hour),
					now.Add(-11 * 24 * time.Hour), now.Add(-12 * 24 * time.Hour),
					now.Add(-13 * 24 * time.Hour)}}), "0 []"},
		{"failures stamped after now by a skewed clock are recent",
			known(auth.RiskInput{Now: now, Client: from(zurich),
				Previous: loginAt(zurich, time.Hour),
				Failures: append(failures(4), now.Add(10*time.Second))}),
			"0.4167 [failure_burst=0.4167]"},
		{"a burst on an unknown account",
			auth.RiskInput{Now: now, Client: from(zurich), Failures: failures(12)},
			"0.5 [failure_burst=0.5]"},
		{"spraying below the threshold",
			known(auth.RiskInput{Now: now, Client: from(zurich),
				Previous: loginAt(zurich, time.Hour), SprayAccounts: 4}), "0 []"},
		{"spraying at the threshold",
			known(auth.RiskInput{Now: now, Client: from(zurich),
				Previous: loginAt(zurich, time.Hour), SprayAccounts: 5}), "0.3 [spraying=0.3]"},
		{"spraying at twice the threshold",
			auth.RiskInput{Now: now, Client: nowhere(""), SprayAccounts: 10},
			"0.6 [spraying=0.6]"},
		{"every signal",
			auth.RiskInput{Now: now, Client: from(sydney), Previous: loginAt(zurich, time.Hour),
				Failures: failures(30), SprayAccounts: 50},
			"0.9832 [new_device=0.3 new_country=0.4 impossible_travel=0.8 " +
				"failure_burst=0.5 spraying=0.6]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := auth.DefaultRiskConfig().Score(tt.in)
			if fmtRisk(got) != tt.want {
				t.Errorf("Score:\n got %s\nwant %s", fmtRisk(got), tt.want)
			}
			if again := auth.DefaultRiskConfig().Score(tt.in); !reflect.DeepEqual(again, got) {
				t.Errorf("Score is not deterministic: %s, then %s", fmtRisk(got),
					fmtRisk(again))
			}
			for _, r := range got.Reasons {
				if r.Detail == "" {
					t.Errorf("reason %s has no detail", r.Signal)
				}
			}
		})
	}
}

func TestScoreCombinations(t *testing.T) {
	in := auth.RiskInput{Now: now, Client: from(sydney), Previous: loginAt(zurich, time.Hour)}
	tests := []struct {
		name    string
		combine string
		weights auth.RiskWeights
		want    string
	}{
		{"noisy or", auth.CombineNoisyOr, auth.RiskWeights{NewDevice: 0.5, NewCountry: 0.5},
			"0.75 [new_device=0.5 new_country=0.5]"},
		{"max", auth.CombineMax, auth.RiskWeights{NewDevice: 0.5, NewCountry: 0.3},
			"0.5 [new_device=0.5 new_country=0.3]"},
		{"sum", auth.CombineSum, auth.RiskWeights{NewDevice: 0.5, NewCountry: 0.3},
			"0.8 [new_device=0.5 new_country=0.3]"},
		{"sum is capped at 1", auth.CombineSum,
			auth.RiskWeights{NewDevice: 0.5, NewCountry: 0.4, ImpossibleTravel: 0.8},
			"1 [new_device=0.5 new_country=0.4 impossible_travel=0.8]"},
		{"a zero weight turns a signal off", auth.CombineNoisyOr,
			auth.RiskWeights{NewCountry: 0.4}, "0.4 [new_country=0.4]"},
		{"weights out of range are clamped", auth.CombineSum,
			auth.RiskWeights{NewDevice: math.NaN(), NewCountry: 7, ImpossibleTravel: -1},
			"1 [new_country=1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := auth.DefaultRiskConfig()
			cfg.Combine, cfg.Weights = tt.combine, tt.weights
			if got := fmtRisk(cfg.Score(in)); got != tt.want {
				t.Errorf("Score:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestScoreZeroConfig: a zero RiskConfig scores like the defaults.
func TestScoreZeroConfig(t *testing.T) {
	in := auth.RiskInput{Now: now, Client: from(sydney), Previous: loginAt(zurich, time.Hour)}
	got, want := auth.RiskConfig{}.Score(in), auth.DefaultRiskConfig().Score(in)
	if fmtRisk(got) != fmtRisk(want) {
		t.Errorf("zero config: got %s, want the defaults' %s", fmtRisk(got), fmtRisk(want))
	}
}

func TestGreatCircleKm(t *testing.T) {
	tests := []struct {
		name             string
		a, b             place
		wantKm, accuracy float64
	}{
		{"same place", zurich, zurich, 0, 0.001},
		{"London to Paris", london, place{"Paris", "FR", 48.8566, 2.3522}, 343.5, 1},
		{"Zürich to Sydney", zurich, sydney, 16_570, 50},
		{"half way round the equator", place{lat: 0, lon: 0}, place{lat: 0, lon: 180},
			20_015.1, 0.5},
		{"pole to pole", place{lat: 90}, place{lat: -90}, 20_015.1, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := auth.GreatCircleKm(tt.a.lat, tt.a.lon, tt.b.lat, tt.b.lon)
			if math.Abs(got-tt.wantKm) > tt.accuracy {
				t.Errorf("got %.1f km, want %.1f ± %g", got, tt.wantKm, tt.accuracy)
			}
		})
	}
}

// TestTravelDetail checks the words a person reads in the reason.
func TestTravelDetail(t *testing.T) {
	tests := []struct {
		name string
		ago  time.Duration
		want string
	}{
		{"an hour", time.Hour, "16568 km from Zürich, CH in 1h0m0s (16568 km/h)"},
		{"seconds", 5 * time.Second, "16568 km from Zürich, CH within a minute"},
		{"clock skew", -time.Minute, "16568 km from Zürich, CH within a minute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := auth.DefaultRiskConfig().Score(auth.RiskInput{Now: now, Client: from(sydney),
				DeviceSeen: true, CountrySeen: true, Previous: loginAt(zurich, tt.ago)})
			if len(r.Reasons) != 1 || r.Reasons[0].Detail != tt.want {
				t.Errorf("reasons: got %+v, want one with detail %q", r.Reasons, tt.want)
			}
		})
	}
}
