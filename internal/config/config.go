// Package config reads the server's settings from the environment and an optional .env
// file, checks them all at once, and reports every problem it finds in one error.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/joho/godotenv"

	"github.com/finintelli/auth/internal/auth"
)

// Environments accepted in APP_ENV.
const (
	Development = "development"
	Production  = "production"
)

// SQLiteFile is the name of the SQLite database inside DataDir.
const SQLiteFile = "finintelli.db"

// Config holds every setting of the server. Load fills it in; the zero value is not useful.
type Config struct {
	Env        string // APP_ENV: Development or Production
	ListenAddr string // LISTEN_ADDR, host:port
	DataDir    string // DATA_DIR: the SQLite database and the development JWT secret live here

	JWTSecret Secret // JWT_SECRET, or the development secret from EnsureSecret
	JWTAlg    string // JWT_ALG: HS256, HS384 or HS512

	AccessTTL         time.Duration // ACCESS_TOKEN_EXPIRE_MINUTES
	RefreshTTL        time.Duration // REFRESH_TOKEN_EXPIRE_DAYS
	ReuseGrace        time.Duration // REFRESH_REUSE_GRACE_SECONDS
	BcryptCost        int           // BCRYPT_COST
	BcryptConcurrency int           // BCRYPT_CONCURRENCY: hashes computed at once
	BcryptQueue       int           // BCRYPT_QUEUE: hashes allowed to wait for a slot
	BcryptMaxWait     time.Duration // BCRYPT_MAX_WAIT_MS: longest wait for a slot; 0: none

	CookieSecure   bool          // COOKIE_SECURE
	CookieDomain   string        // COOKIE_DOMAIN; "" means a host-only cookie
	CookieSameSite http.SameSite // COOKIE_SAMESITE

	// DatabaseURL is a PostgreSQL URL, from DATABASE_URL or built from DB_*. Empty means
	// SQLite at SQLitePath.
	DatabaseURL string
	SQLitePath  string // set only when DatabaseURL is empty
	RedisURL    string // REDIS_URL; empty means in-process rate limits

	TrustedProxies []netip.Prefix // TRUSTED_PROXIES
	AllowedOrigins []string       // ALLOWED_ORIGINS, normalised to scheme://host[:port]

	Limits auth.Limits // RATE_LIMIT_*

	MetricsAddr string     // METRICS_ADDR; empty disables the metrics listener
	GeoIPDB     string     // GEOIP_DB; empty disables geolocation
	LogLevel    slog.Level // LOG_LEVEL

	Risk         Risk         // RISK_* and ALERT_* settings
	Housekeeping Housekeeping // *_RETENTION_DAYS settings

	// Warnings lists things that are allowed but probably not meant, for the caller to log.
	Warnings []string
}

// Production reports whether the server runs in production.
func (c *Config) Production() bool { return c.Env == Production }

// Problems lists every problem Load found, one message per problem.
type Problems []string

// Error returns the problems, one a line.
func (p Problems) Error() string {
	return "invalid configuration:\n  " + strings.Join(p, "\n  ")
}

// Load reads the settings through lookup (normally os.LookupEnv) and from the .env file at
// dotenvPath, which may be empty or name a missing file. A non-empty environment value wins
// over the file; a nil lookup means os.LookupEnv. The error is nil or Problems; the Config is
// returned either way so that its Warnings can still be logged.
func Load(lookup func(string) (string, bool), dotenvPath string) (*Config, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	l := &loader{lookup: lookup}
	l.file = l.readDotenv(dotenvPath)

	c := &Config{
		Env:        strings.ToLower(l.str("APP_ENV", Development)),
		ListenAddr: l.addr("LISTEN_ADDR", "127.0.0.1:8000"),
		DataDir:    filepath.Clean(l.str("DATA_DIR", "./data")),
		JWTSecret:  Secret(l.raw("JWT_SECRET")),
		JWTAlg:     l.oneOf("JWT_ALG", "HS256", "HS256", "HS384", "HS512"),
		AccessTTL:  l.units("ACCESS_TOKEN_EXPIRE_MINUTES", 15, 1, 1440, time.Minute),
		RefreshTTL: l.units("REFRESH_TOKEN_EXPIRE_DAYS", 14, 1, 365, 24*time.Hour),
		ReuseGrace: l.units("REFRESH_REUSE_GRACE_SECONDS", 10, 0, 300, time.Second),

		BcryptCost:        l.intIn("BCRYPT_COST", 12, 4, 16),
		BcryptConcurrency: l.intIn("BCRYPT_CONCURRENCY", runtime.NumCPU(), 1, 1024),
		BcryptQueue:       l.intIn("BCRYPT_QUEUE", 64, 0, 100000),
		BcryptMaxWait:     l.units("BCRYPT_MAX_WAIT_MS", 1000, 0, 60000, time.Millisecond),

		CookieSecure: l.boolean("COOKIE_SECURE", false),
		RedisURL:     l.redisURL("REDIS_URL"),
		MetricsAddr:  l.optionalAddr("METRICS_ADDR"),
		GeoIPDB:      l.str("GEOIP_DB", ""),
		LogLevel:     l.level("LOG_LEVEL", slog.LevelInfo),

		TrustedProxies: l.prefixes("TRUSTED_PROXIES"),
		AllowedOrigins: l.origins("ALLOWED_ORIGINS"),
		Limits:         l.limits(),
	}

	l.risk(c)
	l.housekeeping(c)
	l.checkEnv(c)
	l.checkCookies(c)
	l.checkSecret(c)
	l.database(c)
	if c.MetricsAddr != "" && c.MetricsAddr == c.ListenAddr {
		l.problem("METRICS_ADDR", "must differ from LISTEN_ADDR (%s)", c.ListenAddr)
	}

	c.Warnings = l.warnings
	if len(l.problems) > 0 {
		return c, l.problems
	}
	return c, nil
}

// readDotenv returns the variables of the .env file at path, or nil when there is none.
func (l *loader) readDotenv(path string) map[string]string {
	if path == "" {
		return nil
	}
	vars, err := godotenv.Read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		l.problems = append(l.problems, fmt.Sprintf("%s: cannot read: %v", path, pathErr.Err))
		return nil
	}
	if err != nil {
		// The parser's message quotes the rest of the file, secrets included: say only
		// that the syntax is wrong.
		l.problems = append(l.problems, fmt.Sprintf(
			"%s: cannot parse: each line must be KEY=value, a comment or blank", path))
		return nil
	}
	return vars
}

func (l *loader) checkEnv(c *Config) {
	if c.Env != Development && c.Env != Production {
		l.problem("APP_ENV", "must be %q or %q, not %q", Development, Production, c.Env)
	}
}

func (l *loader) limits() auth.Limits {
	return auth.Limits{
		LoginIP:      l.rule("RATE_LIMIT_LOGIN_IP", "login_ip", "5/1m"),
		LoginAccount: l.rule("RATE_LIMIT_LOGIN_ACCOUNT", "login_account", "5/1m"),
		LoginAccountDaily: l.rule("RATE_LIMIT_LOGIN_ACCOUNT_DAILY", "login_account_daily",
			"100/24h"),
		RegisterIP:     l.rule("RATE_LIMIT_REGISTER_IP", "register_ip", "5/1h"),
		RefreshSession: l.rule("RATE_LIMIT_REFRESH_SESSION", "refresh_session", "60/1m"),
	}
}
