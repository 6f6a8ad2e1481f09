package config

import (
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// database chooses the database: DATABASE_URL if set, else a PostgreSQL URL built from DB_*
// when DB_NAME or DB_DRIVER is set, else SQLite in DataDir.
func (l *loader) database(c *Config) {
	raw := l.str("DATABASE_URL", "")
	name, driver := l.str("DB_NAME", ""), l.str("DB_DRIVER", "")

	switch {
	case raw != "":
		if name != "" || driver != "" {
			l.warn("DB_NAME", "DB_* settings are ignored because DATABASE_URL is set")
		}
		c.DatabaseURL, c.SQLitePath = l.databaseURL("DATABASE_URL", raw)
	case name != "" || driver != "":
		c.DatabaseURL = l.databaseFromParts(name, driver)
	}

	if c.DatabaseURL != "" {
		if _, err := pgconn.ParseConfig(c.DatabaseURL); err != nil {
			// The parser's message may quote the URL: name the problem without it.
			key := "DATABASE_URL"
			if raw == "" {
				key = "DB_HOST"
			}
			l.problem(key, "is not a usable PostgreSQL connection URL (check the "+
				"host, port and query parameters such as sslmode)")
			c.DatabaseURL = ""
		}
	}
	if c.DatabaseURL == "" && c.SQLitePath == "" {
		c.SQLitePath = filepath.Join(c.DataDir, SQLiteFile)
	}
}

// databaseURL checks a DATABASE_URL. It accepts postgres:// and postgresql:// (with an
// optional +driver suffix, as SQLAlchemy writes it) and sqlite:///path, which it returns as a
// SQLite path instead.
func (l *loader) databaseURL(key, raw string) (pgURL, sqlitePath string) {
	u, err := url.Parse(raw)
	if err != nil {
		l.problem(key, "cannot be parsed as a URL")
		return "", ""
	}

	scheme, _, _ := strings.Cut(strings.ToLower(u.Scheme), "+")
	switch scheme {
	case "postgres", "postgresql":
		return "postgresql" + raw[len(u.Scheme):], ""
	case "sqlite":
		path := strings.TrimPrefix(u.Path, "/")
		if u.Host != "" || path == "" || path == ":memory:" {
			l.problem(key, "a SQLite URL must name a file, such as sqlite:///data/finintelli.db")
			return "", ""
		}
		return "", filepath.Clean(path)
	}
	l.problem(key, "unsupported scheme %q; use postgresql:// (or leave it empty for SQLite)",
		u.Scheme)
	return "", ""
}

// databaseFromParts builds a PostgreSQL URL from DB_*, escaping every part.
func (l *loader) databaseFromParts(name, driver string) string {
	ok := true
	if driver != "" && !strings.HasPrefix(strings.ToLower(driver), "postgresql") {
		l.problem("DB_DRIVER", "%q is not supported; use postgresql (SQLite needs no DB_* "+
			"settings)", driver)
		ok = false
	}
	if name == "" {
		l.problem("DB_NAME", "is required when DB_DRIVER is set")
		ok = false
	}
	user, password := l.str("DB_USER", ""), l.raw("DB_PASSWORD")
	if user == "" && password != "" {
		l.problem("DB_USER", "is required when DB_PASSWORD is set")
		ok = false
	}
	host := l.str("DB_HOST", "localhost")
	port := l.intIn("DB_PORT", 5432, 1, 65535)
	if !ok {
		return ""
	}

	u := url.URL{Scheme: "postgresql", Path: "/" + name, RawPath: "/" + url.PathEscape(name)}
	if strings.HasPrefix(host, "/") {
		// A directory is a Unix socket, which only the host parameter can carry.
		u.RawQuery = url.Values{"host": {host}, "port": {strconv.Itoa(port)}}.Encode()
	} else {
		u.Host = net.JoinHostPort(host, strconv.Itoa(port))
	}
	switch {
	case password != "":
		u.User = url.UserPassword(user, password)
	case user != "":
		u.User = url.User(user)
	}
	return u.String()
}

// redactURLError returns err's message without the password of the URL raw, or a generic
// message when raw cannot be parsed (the parser's error would quote it whole).
func redactURLError(err error, raw string) string {
	u, perr := url.Parse(raw)
	if perr != nil {
		return "cannot be parsed as a URL"
	}
	msg := err.Error()
	if pw, ok := u.User.Password(); ok && pw != "" {
		msg = strings.ReplaceAll(msg, pw, "xxxxx")
	}
	return msg
}

// redactURL returns raw with its password replaced, for logs.
func redactURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "[unparseable]"
	}
	return u.Redacted()
}
