package config

import (
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// addr returns key as a host:port listening address, or def when it is unset.
func (l *loader) addr(key, def string) string {
	v := l.str(key, def)
	if err := checkHostPort(v); err != nil {
		l.problem(key, "%q: %v", v, err)
	}
	return v
}

// optionalAddr is addr for a listener that is off when key is unset.
func (l *loader) optionalAddr(key string) string {
	if l.str(key, "") == "" {
		return ""
	}
	return l.addr(key, "")
}

func checkHostPort(v string) error {
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return errString("must be host:port, such as 127.0.0.1:8000")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return errString("the port must be a number from 0 to 65535")
	}
	return nil
}

type errString string

func (e errString) Error() string { return string(e) }

// prefixes returns key, a comma-separated list of CIDRs or single addresses.
func (l *loader) prefixes(key string) []netip.Prefix {
	var out []netip.Prefix
	for _, item := range splitList(l.str(key, "")) {
		p, err := parsePrefix(item)
		if err != nil {
			l.problem(key, "%q is not an address or CIDR, such as 10.0.0.0/8 or ::1", item)
			continue
		}
		out = append(out, p)
	}
	return out
}

// parsePrefix reads a CIDR or a single address (a prefix of one address). IPv4-mapped IPv6
// is turned into IPv4 so that it matches the addresses clients are seen with.
func parsePrefix(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		a = a.Unmap().WithZone("")
		return netip.PrefixFrom(a, a.BitLen()), nil
	}

	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

// origins returns key, a comma-separated list of scheme://host[:port], normalised the way
// browsers write the Origin header (lower case, no default port).
func (l *loader) origins(key string) []string {
	var out []string
	for _, item := range splitList(l.str(key, "")) {
		o, err := normaliseOrigin(item)
		if err != nil {
			l.problem(key, "%q: %v", item, err)
			continue
		}
		out = append(out, o)
	}
	return out
}

func normaliseOrigin(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || u.Host == "" {
		return "", errString("must be scheme://host[:port], such as https://app.example.com")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", errString("the scheme must be http or https")
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" ||
		u.Fragment != "" || strings.Contains(s, "#") || strings.Contains(s, "?") {
		return "", errString("an origin has no user, path, query or fragment")
	}
	if u.Path == "/" {
		return "", errString("an origin has no trailing slash")
	}

	host, port := strings.ToLower(u.Hostname()), u.Port()
	if strings.Contains(host, "*") {
		return "", errString("wildcards are not allowed")
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", errString("the port must be a number from 1 to 65535")
		}
	}
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host, nil
}

// checkCookies reads the cookie settings into c: SameSite, and the domain, which falls back
// to host-only when it could never work (an IP address or localhost).
func (l *loader) checkCookies(c *Config) {
	switch strings.ToLower(l.str("COOKIE_SAMESITE", "Lax")) {
	case "lax":
		c.CookieSameSite = http.SameSiteLaxMode
	case "strict":
		c.CookieSameSite = http.SameSiteStrictMode
	case "none":
		c.CookieSameSite = http.SameSiteNoneMode
		if !c.CookieSecure {
			l.problem("COOKIE_SAMESITE", "None requires COOKIE_SECURE=true; "+
				"browsers drop SameSite=None cookies that are not Secure")
		}
	default:
		l.problem("COOKIE_SAMESITE", "must be Lax, Strict or None, not %q",
			l.str("COOKIE_SAMESITE", ""))
		c.CookieSameSite = http.SameSiteLaxMode
	}

	if c.Production() && !c.CookieSecure {
		l.warn("COOKIE_SECURE", "is false in production; "+
			"the refresh cookie will also be sent over plain HTTP")
	}
	c.CookieDomain = l.cookieDomain("COOKIE_DOMAIN")
}

func (l *loader) cookieDomain(key string) string {
	v := strings.ToLower(strings.TrimPrefix(l.str(key, ""), "."))
	if v == "" {
		return ""
	}
	if _, err := netip.ParseAddr(strings.Trim(v, "[]")); err == nil ||
		v == "localhost" || strings.HasSuffix(v, ".localhost") {
		l.warn(key, "%q is ignored: browsers refuse a Domain of an IP address or localhost, "+
			"so the cookie is host-only", v)
		return ""
	}
	if !isHostName(v) {
		l.problem(key, "%q is not a host name, such as example.com", v)
		return ""
	}
	return v
}

// isHostName reports whether s is made of dot-separated labels of letters, digits and
// hyphens, none empty and none starting or ending with a hyphen.
func isHostName(s string) bool {
	if len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// redisURL returns key when it is a URL go-redis accepts, or "" when it is unset.
func (l *loader) redisURL(key string) string {
	v := l.str(key, "")
	if v == "" {
		return ""
	}
	if _, err := redis.ParseURL(v); err != nil {
		l.problem(key, "is not a Redis URL such as redis://127.0.0.1:6379/0: %v",
			redactURLError(err, v))
		return ""
	}
	return v
}

// splitList splits a comma-separated list and drops empty items.
func splitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
