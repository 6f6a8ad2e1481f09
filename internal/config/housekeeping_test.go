package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/config"
)

func TestHousekeeping(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name string
		env  map[string]string
		want config.Housekeeping
	}{
		{"defaults", nil, config.Housekeeping{TokenRetention: 30 * day,
			ActivityRetention: 365 * day, Interval: time.Hour}},
		{"set", map[string]string{"TOKEN_RETENTION_DAYS": "7", "ACTIVITY_RETENTION_DAYS": "90",
			"HOUSEKEEPING_INTERVAL": "15m"}, config.Housekeeping{TokenRetention: 7 * day,
			ActivityRetention: 90 * day, Interval: 15 * time.Minute}},
		{"off", map[string]string{"HOUSEKEEPING_INTERVAL": "off"}, config.Housekeeping{
			TokenRetention: 30 * day, ActivityRetention: 365 * day}},
		{"zero", map[string]string{"HOUSEKEEPING_INTERVAL": "0"}, config.Housekeeping{
			TokenRetention: 30 * day, ActivityRetention: 365 * day}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustLoad(t, tt.env).Housekeeping; got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestHousekeepingProblems(t *testing.T) {
	tests := []struct{ key, value string }{
		{"TOKEN_RETENTION_DAYS", "0"},
		{"TOKEN_RETENTION_DAYS", "thirty"},
		{"ACTIVITY_RETENTION_DAYS", "-1"},
		{"ACTIVITY_RETENTION_DAYS", "100000"},
		{"HOUSEKEEPING_INTERVAL", "10s"},
		{"HOUSEKEEPING_INTERVAL", "1000h"},
		{"HOUSEKEEPING_INTERVAL", "hourly"},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			_, err := load(t, map[string]string{tt.key: tt.value})
			p := problemsOf(t, err)
			if len(p) != 1 || !strings.HasPrefix(p[0], tt.key+": ") {
				t.Errorf("got problems %q, want one about %s", p, tt.key)
			}
		})
	}
}
