package app

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/finintelli/auth/internal/config"
)

// TestOpenRiskWithoutDatabase: the server runs without a geolocation database, and says so
// once.
func TestOpenRiskWithoutDatabase(t *testing.T) {
	tests := []struct {
		name, geoIPDB, want string
	}{
		{"unset", "", `level=INFO msg="geolocation off: GEOIP_DB is not set`},
		{"missing", filepath.Join(t.TempDir(), "nothing-here"),
			`level=WARN msg="geolocation off: GEOIP_DB cannot be opened"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			cfg := &config.Config{GeoIPDB: tt.geoIPDB}
			r, err := openRisk(cfg, slog.New(slog.NewTextHandler(&logs, nil)))
			if err != nil {
				t.Fatalf("openRisk: %v", err)
			}
			defer r.close()

			if r.geoReader() != nil {
				t.Errorf("geoReader: got %v, want a nil interface", r.geoReader())
			}
			if r.alertSink() == nil {
				t.Errorf("alertSink: got nil, want a sink that counts alerts")
			}
			if n := strings.Count(logs.String(), "geolocation"); n != 1 ||
				!strings.Contains(logs.String(), tt.want) {
				t.Errorf("log: got %q, want one line containing %q", logs.String(), tt.want)
			}
		})
	}
}
