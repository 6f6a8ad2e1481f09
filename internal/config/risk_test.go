package config_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

func TestRiskDefaults(t *testing.T) {
	c := mustLoad(t, nil)
	if got, want := c.Risk.Engine, auth.DefaultRiskConfig(); got != want {
		t.Errorf("Engine: got %+v, want the defaults %+v", got, want)
	}
	if c.Risk.AlertWebhookURL != "" || c.Risk.AlertQueue != 256 ||
		c.Risk.GeoReload != time.Minute {
		t.Errorf("got webhook %q, queue %d, reload %v; want none, 256, 1m",
			string(c.Risk.AlertWebhookURL), c.Risk.AlertQueue, c.Risk.GeoReload)
	}
}

func TestRiskValues(t *testing.T) {
	const hook = "https://hooks.example.com/services/T000/B000/s3cr3t"
	c := mustLoad(t, map[string]string{
		"RISK_WEIGHT_NEW_DEVICE":        "0",
		"RISK_WEIGHT_NEW_COUNTRY":       "0.25",
		"RISK_WEIGHT_IMPOSSIBLE_TRAVEL": "1",
		"RISK_WEIGHT_FAILURE_BURST":     " 0.5 ",
		"RISK_WEIGHT_SPRAYING":          "0.75",
		"RISK_COMBINE":                  "max",
		"RISK_ALERT_THRESHOLD":          "0.9",
		"RISK_NEW_DEVICE_DAYS":          "30",
		"RISK_TRAVEL_KMH":               "1200",
		"RISK_TRAVEL_MIN_KM":            "150",
		"RISK_BURST_Z":                  "2.5",
		"RISK_BURST_MIN_FAILURES":       "3",
		"RISK_SPRAY_ACCOUNTS":           "10",
		"ALERT_WEBHOOK_URL":             hook,
		"ALERT_QUEUE_SIZE":              "16",
		"GEOIP_RELOAD_SECONDS":          "0",
	})
	want := auth.RiskConfig{
		Weights: auth.RiskWeights{NewDevice: 0, NewCountry: 0.25, ImpossibleTravel: 1,
			FailureBurst: 0.5, Spraying: 0.75},
		Combine: auth.CombineMax, AlertThreshold: 0.9, DeviceWindow: 30 * 24 * time.Hour,
		TravelKmh: 1200, TravelMinKm: 150, BurstZ: 2.5, BurstMinFailures: 3, SprayAccounts: 10,
	}
	if c.Risk.Engine != want {
		t.Errorf("Engine:\n got %+v\nwant %+v", c.Risk.Engine, want)
	}
	if string(c.Risk.AlertWebhookURL) != hook || c.Risk.AlertQueue != 16 ||
		c.Risk.GeoReload != 0 {
		t.Errorf("got queue %d, reload %v; want the values set", c.Risk.AlertQueue,
			c.Risk.GeoReload)
	}
	if s := fmt.Sprint(c.Risk); strings.Contains(s, "s3cr3t") {
		t.Errorf("printing the settings shows the webhook token: %s", s)
	}
}

func TestRiskProblems(t *testing.T) {
	tests := []struct {
		key, value, want string
	}{
		{"RISK_WEIGHT_NEW_DEVICE", "1.5", "between 0 and 1"},
		{"RISK_WEIGHT_SPRAYING", "-0.1", "between 0 and 1"},
		{"RISK_WEIGHT_NEW_COUNTRY", "high", "not a number"},
		{"RISK_WEIGHT_FAILURE_BURST", "NaN", "between 0 and 1"},
		{"RISK_ALERT_THRESHOLD", "0", "between 0.01 and 1"},
		{"RISK_COMBINE", "product", "must be one of"},
		{"RISK_NEW_DEVICE_DAYS", "0", "between 1 and 3650"},
		{"RISK_TRAVEL_KMH", "50", "between 100 and 100000"},
		{"RISK_BURST_Z", "0", "between 0.5 and 100"},
		{"RISK_SPRAY_ACCOUNTS", "1", "between 2 and 10000"},
		{"ALERT_QUEUE_SIZE", "0", "between 1 and 100000"},
		{"GEOIP_RELOAD_SECONDS", "-1", "between 0 and 86400"},
		{"ALERT_WEBHOOK_URL", "ftp://hooks.example.com/s3cr3t", "absolute http"},
		{"ALERT_WEBHOOK_URL", "hooks.example.com/s3cr3t", "absolute http"},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			_, err := load(t, map[string]string{tt.key: tt.value})
			p := problemsOf(t, err)
			if len(p) != 1 || !strings.HasPrefix(p[0], tt.key+": ") ||
				!strings.Contains(p[0], tt.want) {
				t.Fatalf("got problems %q, want one for %s containing %q", p, tt.key, tt.want)
			}
			if strings.Contains(p[0], "s3cr3t") {
				t.Errorf("the problem shows the webhook token: %s", p[0])
			}
		})
	}
}

func TestRiskWebhookWarning(t *testing.T) {
	c := mustLoad(t, withProduction(map[string]string{
		"ALERT_WEBHOOK_URL": "http://alerts.internal/hook/s3cr3t"}))
	found := false
	for _, w := range c.Warnings {
		if strings.HasPrefix(w, "ALERT_WEBHOOK_URL: ") {
			found = true
		}
		if strings.Contains(w, "s3cr3t") {
			t.Errorf("a warning shows the webhook token: %s", w)
		}
	}
	if !found {
		t.Errorf("warnings %q: want one for an http webhook in production", c.Warnings)
	}
}
