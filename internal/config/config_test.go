package config_test

import (
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/config"
)

// strongSecret is long and varied enough to pass every check.
const strongSecret = "pQ7vX2kL9mN4bR8tY1wZ6cF3hJ5sD0gA-strong"

// lookupOf returns a lookup function backed by env.
func lookupOf(env map[string]string) func(string) (string, bool) {
	return func(key string) (string, bool) {
		v, ok := env[key]
		return v, ok
	}
}

// load reads env on top of a development base with a temporary DATA_DIR.
func load(t *testing.T, env map[string]string) (*config.Config, error) {
	t.Helper()
	all := map[string]string{"DATA_DIR": t.TempDir()}
	maps.Copy(all, env)
	return config.Load(lookupOf(all), "")
}

// mustLoad is load for settings that must have no problems.
func mustLoad(t *testing.T, env map[string]string) *config.Config {
	t.Helper()
	c, err := load(t, env)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// problemsOf returns err as Problems, failing the test when it is anything else.
func problemsOf(t *testing.T, err error) config.Problems {
	t.Helper()
	var p config.Problems
	if !errors.As(err, &p) {
		t.Fatalf("got error %v (%T), want config.Problems", err, err)
	}
	return p
}

func TestDefaults(t *testing.T) {
	c, err := config.Load(lookupOf(nil), "")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}

	checks := []struct {
		name      string
		got, want any
	}{
		{"Env", c.Env, "development"},
		{"Production", c.Production(), false},
		{"ListenAddr", c.ListenAddr, "127.0.0.1:8000"},
		{"DataDir", c.DataDir, "data"},
		{"JWTSecret", string(c.JWTSecret), ""},
		{"JWTAlg", c.JWTAlg, "HS256"},
		{"AccessTTL", c.AccessTTL, 15 * time.Minute},
		{"RefreshTTL", c.RefreshTTL, 14 * 24 * time.Hour},
		{"ReuseGrace", c.ReuseGrace, 10 * time.Second},
		{"CookieSecure", c.CookieSecure, false},
		{"CookieDomain", c.CookieDomain, ""},
		{"CookieSameSite", c.CookieSameSite, http.SameSiteLaxMode},
		{"DatabaseURL", c.DatabaseURL, ""},
		{"SQLitePath", c.SQLitePath, filepath.Join("data", "finintelli.db")},
		{"RedisURL", c.RedisURL, ""},
		{"TrustedProxies", len(c.TrustedProxies), 0},
		{"AllowedOrigins", len(c.AllowedOrigins), 0},
		{"BcryptCost", c.BcryptCost, 12},
		{"BcryptConcurrency", c.BcryptConcurrency, runtime.NumCPU()},
		{"BcryptQueue", c.BcryptQueue, 64},
		{"LoginIP", c.Limits.LoginIP, auth.Rule{Name: "login_ip", Limit: 5, Period: time.Minute}},
		{"LoginAccount", c.Limits.LoginAccount,
			auth.Rule{Name: "login_account", Limit: 5, Period: time.Minute}},
		{"LoginAccountDaily", c.Limits.LoginAccountDaily,
			auth.Rule{Name: "login_account_daily", Limit: 100, Period: 24 * time.Hour}},
		{"RegisterIP", c.Limits.RegisterIP,
			auth.Rule{Name: "register_ip", Limit: 5, Period: time.Hour}},
		{"RefreshSession", c.Limits.RefreshSession,
			auth.Rule{Name: "refresh_session", Limit: 60, Period: time.Minute}},
		{"MetricsAddr", c.MetricsAddr, ""},
		{"GeoIPDB", c.GeoIPDB, ""},
		{"LogLevel", c.LogLevel, slog.LevelInfo},
		{"Warnings", len(c.Warnings), 0},
	}
	for _, tc := range checks {
		if tc.got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

// production is a valid production base for the problem cases.
var production = map[string]string{
	"APP_ENV": "production", "JWT_SECRET": strongSecret, "COOKIE_SECURE": "true",
}

func withProduction(env map[string]string) map[string]string {
	all := maps.Clone(production)
	maps.Copy(all, env)
	return all
}

func TestProblems(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // the one problem expected, as a prefix
	}{
		{"unknown env", map[string]string{"APP_ENV": "staging"}, "APP_ENV: must be"},
		{"database bad sslmode", map[string]string{
			"DATABASE_URL": "postgres://u:pw@127.0.0.1:5432/db?sslmode=bogus"},
			"DATABASE_URL: is not a usable PostgreSQL connection URL"},
		{"database bad port", map[string]string{
			"DATABASE_URL": "postgres://u:pw@127.0.0.1:99999/db"},
			"DATABASE_URL: is not a usable PostgreSQL connection URL"},
		{"placeholder secret", withProduction(map[string]string{
			"JWT_SECRET": "<at least 32 random bytes, e.g. from: openssl rand -base64 48>"}),
			"JWT_SECRET: is a placeholder"},
		{"bad alg", map[string]string{"JWT_ALG": "RS256"}, "JWT_ALG: must be one of"},
		{"alg case", map[string]string{"JWT_ALG": "hs256"}, "JWT_ALG: must be one of"},
		{"access not a number", map[string]string{"ACCESS_TOKEN_EXPIRE_MINUTES": "15m"},
			`ACCESS_TOKEN_EXPIRE_MINUTES: "15m" is not a whole number`},
		{"access zero", map[string]string{"ACCESS_TOKEN_EXPIRE_MINUTES": "0"},
			"ACCESS_TOKEN_EXPIRE_MINUTES: must be between 1 and 1440"},
		{"access too long", map[string]string{"ACCESS_TOKEN_EXPIRE_MINUTES": "1441"},
			"ACCESS_TOKEN_EXPIRE_MINUTES: must be between 1 and 1440"},
		{"refresh zero", map[string]string{"REFRESH_TOKEN_EXPIRE_DAYS": "0"},
			"REFRESH_TOKEN_EXPIRE_DAYS: must be between 1 and 365"},
		{"refresh too long", map[string]string{"REFRESH_TOKEN_EXPIRE_DAYS": "366"},
			"REFRESH_TOKEN_EXPIRE_DAYS: must be between 1 and 365"},
		{"grace negative", map[string]string{"REFRESH_REUSE_GRACE_SECONDS": "-1"},
			"REFRESH_REUSE_GRACE_SECONDS: must be between 0 and 300"},
		{"grace too long", map[string]string{"REFRESH_REUSE_GRACE_SECONDS": "301"},
			"REFRESH_REUSE_GRACE_SECONDS: must be between 0 and 300"},
		{"bad bool", map[string]string{"COOKIE_SECURE": "maybe"}, "COOKIE_SECURE: \"maybe\""},
		{"bad samesite", map[string]string{"COOKIE_SAMESITE": "loose"},
			"COOKIE_SAMESITE: must be Lax, Strict or None"},
		{"samesite none insecure", map[string]string{"COOKIE_SAMESITE": "None"},
			"COOKIE_SAMESITE: None requires COOKIE_SECURE=true"},
		{"cookie domain garbage", map[string]string{"COOKIE_DOMAIN": "exa mple.com"},
			"COOKIE_DOMAIN: \"exa mple.com\" is not a host name"},
		{"cookie domain with port", map[string]string{"COOKIE_DOMAIN": "example.com:8000"},
			"COOKIE_DOMAIN: \"example.com:8000\" is not a host name"},
		{"bcrypt cost low", map[string]string{"BCRYPT_COST": "3"},
			"BCRYPT_COST: must be between 4 and 16"},
		{"bcrypt cost high", map[string]string{"BCRYPT_COST": "17"},
			"BCRYPT_COST: must be between 4 and 16"},
		{"bcrypt concurrency zero", map[string]string{"BCRYPT_CONCURRENCY": "0"},
			"BCRYPT_CONCURRENCY: must be between"},
		{"bcrypt queue bad", map[string]string{"BCRYPT_QUEUE": "lots"},
			"BCRYPT_QUEUE: \"lots\" is not a whole number"},
		{"rule without slash", map[string]string{"RATE_LIMIT_LOGIN_IP": "5"},
			"RATE_LIMIT_LOGIN_IP: \"5\" is not N/duration"},
		{"rule zero count", map[string]string{"RATE_LIMIT_LOGIN_ACCOUNT": "0/1m"},
			"RATE_LIMIT_LOGIN_ACCOUNT: \"0/1m\": the count"},
		{"rule bad count", map[string]string{"RATE_LIMIT_REGISTER_IP": "x/1h"},
			"RATE_LIMIT_REGISTER_IP: \"x/1h\": the count"},
		{"rule bad period", map[string]string{"RATE_LIMIT_REFRESH_SESSION": "5/day"},
			"RATE_LIMIT_REFRESH_SESSION: \"5/day\": the period"},
		{"rule short period", map[string]string{"RATE_LIMIT_LOGIN_ACCOUNT_DAILY": "5/500ms"},
			"RATE_LIMIT_LOGIN_ACCOUNT_DAILY: \"5/500ms\": the period"},
		{"listen without port", map[string]string{"LISTEN_ADDR": "localhost"},
			"LISTEN_ADDR: \"localhost\": must be host:port"},
		{"listen bad port", map[string]string{"LISTEN_ADDR": ":http"},
			"LISTEN_ADDR: \":http\": the port"},
		{"metrics bad", map[string]string{"METRICS_ADDR": "9090"},
			"METRICS_ADDR: \"9090\": must be host:port"},
		{"metrics same as listen", map[string]string{"METRICS_ADDR": "127.0.0.1:8000"},
			"METRICS_ADDR: must differ from LISTEN_ADDR"},
		{"bad proxy", map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, proxy.local"},
			"TRUSTED_PROXIES: \"proxy.local\" is not an address or CIDR"},
		{"bad proxy bits", map[string]string{"TRUSTED_PROXIES": "10.0.0.0/33"},
			"TRUSTED_PROXIES: \"10.0.0.0/33\""},
		{"origin without scheme", map[string]string{"ALLOWED_ORIGINS": "app.example.com"},
			"ALLOWED_ORIGINS: \"app.example.com\": must be scheme://host"},
		{"origin ftp", map[string]string{"ALLOWED_ORIGINS": "ftp://example.com"},
			"ALLOWED_ORIGINS: \"ftp://example.com\": the scheme"},
		{"origin path", map[string]string{"ALLOWED_ORIGINS": "https://example.com/app"},
			"ALLOWED_ORIGINS: \"https://example.com/app\": an origin has no"},
		{"origin slash", map[string]string{"ALLOWED_ORIGINS": "https://example.com/"},
			"ALLOWED_ORIGINS: \"https://example.com/\": an origin has no trailing slash"},
		{"origin wildcard", map[string]string{"ALLOWED_ORIGINS": "https://*.example.com"},
			"ALLOWED_ORIGINS: \"https://*.example.com\""},
		{"origin star", map[string]string{"ALLOWED_ORIGINS": "*"}, "ALLOWED_ORIGINS: \"*\""},
		{"origin bad port", map[string]string{"ALLOWED_ORIGINS": "http://localhost:99999"},
			"ALLOWED_ORIGINS: \"http://localhost:99999\""},
		{"redis scheme", map[string]string{"REDIS_URL": "http://127.0.0.1:6379"},
			"REDIS_URL: is not a Redis URL"},
		{"database scheme", map[string]string{"DATABASE_URL": "mysql://u:p@h/db"},
			"DATABASE_URL: unsupported scheme \"mysql\""},
		{"database sqlite memory", map[string]string{"DATABASE_URL": "sqlite://"},
			"DATABASE_URL: a SQLite URL must name a file"},
		{"db driver mysql", map[string]string{"DB_DRIVER": "mysql", "DB_NAME": "x"},
			"DB_DRIVER: \"mysql\" is not supported"},
		{"db driver without name", map[string]string{"DB_DRIVER": "postgresql"},
			"DB_NAME: is required"},
		{"db password without user", map[string]string{"DB_NAME": "x", "DB_PASSWORD": "p"},
			"DB_USER: is required when DB_PASSWORD is set"},
		{"db port", map[string]string{"DB_NAME": "x", "DB_PORT": "fivefour"},
			"DB_PORT: \"fivefour\" is not a whole number"},
		{"db port range", map[string]string{"DB_NAME": "x", "DB_PORT": "70000"},
			"DB_PORT: must be between 1 and 65535"},
		{"log level", map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL: \"loud\""},

		{"production no secret", withProduction(map[string]string{"JWT_SECRET": ""}),
			"JWT_SECRET: is required in production"},
		{"production short secret", withProduction(map[string]string{"JWT_SECRET": "short"}),
			"JWT_SECRET: must be at least 32 bytes in production"},
		{"production secret one byte short",
			withProduction(map[string]string{"JWT_SECRET": strongSecret[:31]}),
			"JWT_SECRET: must be at least 32 bytes in production (it has 31"},
		{"production sample secret",
			withProduction(map[string]string{"JWT_SECRET": "change_this_super_secret_string"}),
			"JWT_SECRET: is a well-known sample value in production"},
		{"production sample secret any case",
			withProduction(map[string]string{"JWT_SECRET": "Change_This_SUPER_secret_String"}),
			"JWT_SECRET: is a well-known sample value in production"},
		{"production sample secret short",
			withProduction(map[string]string{"JWT_SECRET": "Secret"}),
			"JWT_SECRET: is a well-known sample value in production"},
		{"production repetitive secret",
			withProduction(map[string]string{"JWT_SECRET": strings.Repeat("ab", 20)}),
			"JWT_SECRET: is too repetitive"},
		{"production samesite none", withProduction(map[string]string{
			"COOKIE_SECURE": "false", "COOKIE_SAMESITE": "none"}),
			"COOKIE_SAMESITE: None requires COOKIE_SECURE=true"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.env)
			p := problemsOf(t, err)
			if len(p) != 1 || !strings.HasPrefix(p[0], tc.want) {
				t.Fatalf("got problems %q, want one starting with %q", p, tc.want)
			}
			if !strings.Contains(err.Error(), p[0]) {
				t.Errorf("Error() = %q, want it to contain %q", err.Error(), p[0])
			}
		})
	}
}

func TestEveryProblemReported(t *testing.T) {
	env := map[string]string{
		"APP_ENV":                     "prod",
		"JWT_ALG":                     "none",
		"ACCESS_TOKEN_EXPIRE_MINUTES": "x",
		"BCRYPT_COST":                 "99",
		"COOKIE_SAMESITE":             "None",
		"TRUSTED_PROXIES":             "a, b, 10.0.0.0/8",
		"RATE_LIMIT_LOGIN_IP":         "five",
	}
	_, err := load(t, env)
	p := problemsOf(t, err)

	wantKeys := []string{"APP_ENV", "JWT_ALG", "ACCESS_TOKEN_EXPIRE_MINUTES", "BCRYPT_COST",
		"COOKIE_SAMESITE", "TRUSTED_PROXIES", "TRUSTED_PROXIES", "RATE_LIMIT_LOGIN_IP"}
	var gotKeys []string
	for _, line := range p {
		key, _, _ := strings.Cut(line, ":")
		gotKeys = append(gotKeys, key)
	}
	slices.Sort(gotKeys)
	slices.Sort(wantKeys)
	if !slices.Equal(gotKeys, wantKeys) {
		t.Errorf("got problems for %v, want %v:\n%v", gotKeys, wantKeys, err)
	}
	if lines := strings.Count(err.Error(), "\n"); lines != len(wantKeys) {
		t.Errorf("Error() has %d line breaks, want %d:\n%v", lines, len(wantKeys), err)
	}
}

func TestValues(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		got  func(*config.Config) any
		want any
	}{
		{"production", map[string]string{"APP_ENV": "Production", "JWT_SECRET": strongSecret,
			"COOKIE_SECURE": "1"}, func(c *config.Config) any { return c.Production() }, true},
		{"production secret of 32 bytes", withProduction(map[string]string{
			"JWT_SECRET": strongSecret[:32]}),
			func(c *config.Config) any { return string(c.JWTSecret) }, strongSecret[:32]},
		{"alg", map[string]string{"JWT_ALG": "HS512"},
			func(c *config.Config) any { return c.JWTAlg }, "HS512"},
		{"access", map[string]string{"ACCESS_TOKEN_EXPIRE_MINUTES": " 30 "},
			func(c *config.Config) any { return c.AccessTTL }, 30 * time.Minute},
		{"refresh", map[string]string{"REFRESH_TOKEN_EXPIRE_DAYS": "365"},
			func(c *config.Config) any { return c.RefreshTTL }, 365 * 24 * time.Hour},
		{"grace zero", map[string]string{"REFRESH_REUSE_GRACE_SECONDS": "0"},
			func(c *config.Config) any { return c.ReuseGrace }, time.Duration(0)},
		{"secure true", map[string]string{"COOKIE_SECURE": "true"},
			func(c *config.Config) any { return c.CookieSecure }, true},
		{"secure yes", map[string]string{"COOKIE_SECURE": "YES"},
			func(c *config.Config) any { return c.CookieSecure }, true},
		{"secure 1", map[string]string{"COOKIE_SECURE": "1"},
			func(c *config.Config) any { return c.CookieSecure }, true},
		{"secure no", map[string]string{"COOKIE_SECURE": "no"},
			func(c *config.Config) any { return c.CookieSecure }, false},
		{"secure 0", map[string]string{"COOKIE_SECURE": "0"},
			func(c *config.Config) any { return c.CookieSecure }, false},
		{"samesite strict", map[string]string{"COOKIE_SAMESITE": "strict"},
			func(c *config.Config) any { return c.CookieSameSite }, http.SameSiteStrictMode},
		{"samesite none secure", map[string]string{"COOKIE_SAMESITE": "NONE",
			"COOKIE_SECURE": "true"},
			func(c *config.Config) any { return c.CookieSameSite }, http.SameSiteNoneMode},
		{"cookie domain dot", map[string]string{"COOKIE_DOMAIN": ".Example.COM"},
			func(c *config.Config) any { return c.CookieDomain }, "example.com"},
		{"bcrypt", map[string]string{"BCRYPT_COST": "4", "BCRYPT_CONCURRENCY": "3",
			"BCRYPT_QUEUE": "0"},
			func(c *config.Config) any {
				return [3]int{c.BcryptCost, c.BcryptConcurrency, c.BcryptQueue}
			},
			[3]int{4, 3, 0}},
		{"rule", map[string]string{"RATE_LIMIT_LOGIN_IP": "10 / 30s"},
			func(c *config.Config) any { return c.Limits.LoginIP },
			auth.Rule{Name: "login_ip", Limit: 10, Period: 30 * time.Second}},
		{"daily rule", map[string]string{"RATE_LIMIT_LOGIN_ACCOUNT_DAILY": "50/48h"},
			func(c *config.Config) any { return c.Limits.LoginAccountDaily },
			auth.Rule{Name: "login_account_daily", Limit: 50, Period: 48 * time.Hour}},
		{"listen", map[string]string{"LISTEN_ADDR": "[::1]:9000"},
			func(c *config.Config) any { return c.ListenAddr }, "[::1]:9000"},
		{"metrics", map[string]string{"METRICS_ADDR": "127.0.0.1:9100"},
			func(c *config.Config) any { return c.MetricsAddr }, "127.0.0.1:9100"},
		{"redis", map[string]string{"REDIS_URL": "redis://:pw@127.0.0.1:6379/2"},
			func(c *config.Config) any { return c.RedisURL }, "redis://:pw@127.0.0.1:6379/2"},
		{"geoip", map[string]string{"GEOIP_DB": "/srv/GeoLite2-City.mmdb"},
			func(c *config.Config) any { return c.GeoIPDB }, "/srv/GeoLite2-City.mmdb"},
		{"log level", map[string]string{"LOG_LEVEL": "DEBUG"},
			func(c *config.Config) any { return c.LogLevel }, slog.LevelDebug},
		{"proxies", map[string]string{"TRUSTED_PROXIES": " 10.1.2.3/8,192.168.1.1 ,, ::1," +
			"::ffff:172.16.0.1,2001:db8::/32"},
			func(c *config.Config) any { return joinPrefixes(c) },
			"10.0.0.0/8 192.168.1.1/32 ::1/128 172.16.0.1/32 2001:db8::/32"},
		{"origins", map[string]string{"ALLOWED_ORIGINS": "HTTPS://App.Example.com:443, " +
			"http://localhost:3000,http://[::1]:8080, https://x.example:8443,http://a.b:80"},
			func(c *config.Config) any { return strings.Join(c.AllowedOrigins, " ") },
			"https://app.example.com http://localhost:3000 http://[::1]:8080 " +
				"https://x.example:8443 http://a.b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := mustLoad(t, tc.env)
			if got := tc.got(c); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func joinPrefixes(c *config.Config) string {
	var s []string
	for _, p := range c.TrustedProxies {
		s = append(s, p.String())
	}
	return strings.Join(s, " ")
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		wantDomain string
		want       string // prefix of the one warning
	}{
		{"dev sample secret", map[string]string{"JWT_SECRET": "dev_change_me"}, "",
			"JWT_SECRET: is a well-known sample value"},
		{"dev short secret", map[string]string{"JWT_SECRET": "abc123"}, "",
			"JWT_SECRET: must be at least 32 bytes"},
		{"domain localhost", map[string]string{"COOKIE_DOMAIN": "localhost"}, "",
			"COOKIE_DOMAIN: \"localhost\" is ignored"},
		{"domain sub localhost", map[string]string{"COOKIE_DOMAIN": ".App.Localhost"}, "",
			"COOKIE_DOMAIN: \"app.localhost\" is ignored"},
		{"domain ipv4", map[string]string{"COOKIE_DOMAIN": "127.0.0.1"}, "",
			"COOKIE_DOMAIN: \"127.0.0.1\" is ignored"},
		{"domain ipv6", map[string]string{"COOKIE_DOMAIN": "[::1]"}, "",
			"COOKIE_DOMAIN: \"[::1]\" is ignored"},
		{"production insecure cookie", withProduction(map[string]string{"COOKIE_SECURE": "false"}),
			"", "COOKIE_SECURE: is false in production"},
		{"database url and parts", map[string]string{"DATABASE_URL": "postgres://h/db",
			"DB_NAME": "other"}, "", "DB_NAME: DB_* settings are ignored"},
		{"domain kept", map[string]string{"COOKIE_DOMAIN": "example.com"}, "example.com", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := mustLoad(t, tc.env)
			if c.CookieDomain != tc.wantDomain {
				t.Errorf("CookieDomain: got %q, want %q", c.CookieDomain, tc.wantDomain)
			}
			if tc.want == "" {
				if len(c.Warnings) != 0 {
					t.Errorf("got warnings %q, want none", c.Warnings)
				}
				return
			}
			if len(c.Warnings) != 1 || !strings.HasPrefix(c.Warnings[0], tc.want) {
				t.Errorf("got warnings %q, want one starting with %q", c.Warnings, tc.want)
			}
		})
	}
}

func TestDotenv(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	text := "# comment\nJWT_ALG=HS384\nBCRYPT_COST=10\nLOG_LEVEL=warn\n" +
		"DB_PASSWORD=\"from file\"\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATA_DIR": dir, "BCRYPT_COST": "11", "LOG_LEVEL": ""}

	c, err := config.Load(lookupOf(env), path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.JWTAlg != "HS384" {
		t.Errorf("JWTAlg from the file: got %q, want HS384", c.JWTAlg)
	}
	if c.BcryptCost != 11 {
		t.Errorf("BcryptCost: got %d, want 11 (the environment wins)", c.BcryptCost)
	}
	if c.LogLevel != slog.LevelWarn {
		t.Errorf("LogLevel: got %v, want WARN (an empty environment value falls through)",
			c.LogLevel)
	}
}

func TestDotenvMissingOrBad(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DATA_DIR": dir}

	if _, err := config.Load(lookupOf(env), filepath.Join(dir, "missing.env")); err != nil {
		t.Errorf("missing .env: got %v, want no error", err)
	}

	_, err := config.Load(lookupOf(env), dir) // a directory cannot be read as a file
	p := problemsOf(t, err)
	if len(p) != 1 || !strings.HasPrefix(p[0], dir+": cannot read") {
		t.Errorf("got problems %q, want one about %s", p, dir)
	}
}

// TestDotenvSyntaxErrorHidesContent: a .env file that does not parse is reported without
// quoting it, since the rest of the file holds secrets.
func TestDotenvSyntaxErrorHidesContent(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	content := "APP_ENV=production\nbad line\nJWT_SECRET=TopSecretValue-0123456789abcdef-0123\n" +
		"DATABASE_URL=postgres://app:DbPassw0rd@db/x\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}

	_, err := config.Load(func(string) (string, bool) { return "", false }, path)
	if err == nil {
		t.Fatal("a .env file with a syntax error loaded without a problem")
	}
	for _, secret := range []string{"TopSecretValue", "DbPassw0rd", "bad line"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the problem quotes the file (%q): %v", secret, err)
		}
	}
	if !strings.Contains(err.Error(), ".env: cannot parse") {
		t.Errorf("got %v, want a problem naming the file", err)
	}
}
