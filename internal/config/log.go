package config

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// LogValue returns the settings for a startup log line, with the JWT secret and the
// database and Redis passwords redacted.
func (c Config) LogValue() slog.Value {
	database := "sqlite:" + c.SQLitePath
	if c.DatabaseURL != "" {
		database = redactURL(c.DatabaseURL)
	}
	proxies := make([]string, len(c.TrustedProxies))
	for i, p := range c.TrustedProxies {
		proxies[i] = p.String()
	}

	return slog.GroupValue(
		slog.String("env", c.Env),
		slog.String("listen_addr", c.ListenAddr),
		slog.String("data_dir", c.DataDir),
		slog.Bool("jwt_secret_set", c.JWTSecret != ""),
		slog.String("jwt_alg", c.JWTAlg),
		slog.Duration("access_ttl", c.AccessTTL),
		slog.Duration("refresh_ttl", c.RefreshTTL),
		slog.Duration("reuse_grace", c.ReuseGrace),
		slog.Bool("cookie_secure", c.CookieSecure),
		slog.String("cookie_domain", c.CookieDomain),
		slog.String("cookie_samesite", sameSiteName(c.CookieSameSite)),
		slog.String("database", database),
		slog.String("redis", redactURL(c.RedisURL)),
		slog.String("trusted_proxies", strings.Join(proxies, ",")),
		slog.String("allowed_origins", strings.Join(c.AllowedOrigins, ",")),
		slog.Int("bcrypt_cost", c.BcryptCost),
		slog.Int("bcrypt_concurrency", c.BcryptConcurrency),
		slog.Int("bcrypt_queue", c.BcryptQueue),
		slog.String("metrics_addr", c.MetricsAddr),
		slog.String("geoip_db", c.GeoIPDB),
		slog.String("log_level", c.LogLevel.String()),
	)
}

// String returns the settings as key=value pairs, redacted like LogValue, so that printing
// a Config never shows a secret.
func (c Config) String() string {
	var b strings.Builder
	for i, a := range c.LogValue().Group() {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%s", a.Key, a.Value)
	}
	return b.String()
}

// GoString is String, so that %#v does not print the fields either.
func (c Config) GoString() string { return "config.Config{" + c.String() + "}" }

func sameSiteName(s http.SameSite) string {
	switch s {
	case http.SameSiteStrictMode:
		return "Strict"
	case http.SameSiteNoneMode:
		return "None"
	default:
		return "Lax"
	}
}

// MarshalJSON encodes the settings redacted like LogValue.
func (c Config) MarshalJSON() ([]byte, error) {
	m := make(map[string]any)
	for _, a := range c.LogValue().Group() {
		m[a.Key] = a.Value.Any()
	}
	return json.Marshal(m)
}
