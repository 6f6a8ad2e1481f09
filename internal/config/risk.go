package config

import (
	"net/url"
	"strconv"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// Risk holds the settings of the risk engine, of alerts and of the geolocation database's
// reloading.
type Risk struct {
	Engine auth.RiskConfig // RISK_*

	// AlertWebhookURL receives alerts as JSON (ALERT_WEBHOOK_URL); empty means alerts are
	// only logged. It is a Secret because such URLs usually carry a token.
	AlertWebhookURL Secret
	AlertQueue      int // ALERT_QUEUE_SIZE: alerts waiting for delivery

	// GeoReload is how often GEOIP_DB is checked for new files (GEOIP_RELOAD_SECONDS); zero
	// means never.
	GeoReload time.Duration
}

// risk reads the RISK_*, ALERT_* and GEOIP_RELOAD_SECONDS settings.
func (l *loader) risk(c *Config) {
	d := auth.DefaultRiskConfig()
	w := d.Weights
	e := auth.RiskConfig{
		Weights: auth.RiskWeights{
			NewDevice:        l.floatIn("RISK_WEIGHT_NEW_DEVICE", w.NewDevice, 0, 1),
			NewCountry:       l.floatIn("RISK_WEIGHT_NEW_COUNTRY", w.NewCountry, 0, 1),
			ImpossibleTravel: l.floatIn("RISK_WEIGHT_IMPOSSIBLE_TRAVEL", w.ImpossibleTravel, 0, 1),
			FailureBurst:     l.floatIn("RISK_WEIGHT_FAILURE_BURST", w.FailureBurst, 0, 1),
			Spraying:         l.floatIn("RISK_WEIGHT_SPRAYING", w.Spraying, 0, 1),
		},
		Combine: l.oneOf("RISK_COMBINE", d.Combine, auth.CombineNoisyOr, auth.CombineMax,
			auth.CombineSum),
		AlertThreshold:   l.floatIn("RISK_ALERT_THRESHOLD", d.AlertThreshold, 0.01, 1),
		DeviceWindow:     l.units("RISK_NEW_DEVICE_DAYS", 90, 1, 3650, 24*time.Hour),
		TravelKmh:        l.floatIn("RISK_TRAVEL_KMH", d.TravelKmh, 100, 100_000),
		TravelMinKm:      l.floatIn("RISK_TRAVEL_MIN_KM", d.TravelMinKm, 1, 20_000),
		BurstZ:           l.floatIn("RISK_BURST_Z", d.BurstZ, 0.5, 100),
		BurstMinFailures: l.intIn("RISK_BURST_MIN_FAILURES", d.BurstMinFailures, 1, 10_000),
		SprayAccounts:    l.intIn("RISK_SPRAY_ACCOUNTS", d.SprayAccounts, 2, 10_000),
	}

	c.Risk = Risk{
		Engine:          e,
		AlertWebhookURL: l.webhook("ALERT_WEBHOOK_URL", c),
		AlertQueue:      l.intIn("ALERT_QUEUE_SIZE", 256, 1, 100_000),
		GeoReload:       l.units("GEOIP_RELOAD_SECONDS", 60, 0, 86_400, time.Second),
	}
}

// floatIn returns key as a number in [lo, hi], or def when it is unset.
func (l *loader) floatIn(key string, def, lo, hi float64) float64 {
	v := l.str(key, "")
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		l.problem(key, "%q is not a number", v)
		return def
	}
	if !(f >= lo && f <= hi) {
		l.problem(key, "must be between %g and %g, not %s", lo, hi, v)
		return def
	}
	return f
}

// webhook returns key as an http or https URL, or "" when it is unset. Problems never
// repeat the value, which usually carries a token; a plain http URL is a warning in
// production, where the alert and the token would cross the network in clear.
func (l *loader) webhook(key string, c *Config) Secret {
	v := l.str(key, "")
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		l.problem(key, "must be an absolute http:// or https:// URL")
		return ""
	}
	if u.Scheme == "http" && c.Production() {
		l.warn(key, "uses http in production; alerts and the URL's token travel in clear")
	}
	return Secret(v)
}
