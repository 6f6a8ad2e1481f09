package config

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// MinSecretLen is the shortest JWT secret accepted in production, in bytes.
const MinSecretLen = 32

// Secret is key material. It prints and logs as "[redacted]" whatever the verb or handler;
// convert it with []byte(s) to use it.
type Secret string

// Format writes "[redacted]" (or "" for an empty Secret) for every verb.
func (s Secret) Format(f fmt.State, _ rune) { io.WriteString(f, s.redacted()) }

// LogValue logs the Secret as "[redacted]".
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.redacted()) }

// MarshalText encodes the Secret as "[redacted]", so that it never leaks through JSON.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.redacted()), nil }

func (s Secret) redacted() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// sampleSecrets are values copied from examples and tutorials; anyone can sign tokens with
// them. They are compared in lower case.
var sampleSecrets = []string{
	"change_this_super_secret_string",
	"dev_change_me",
	"secret",
	"changeme",
	"change_me",
	"change-me",
	"your-secret-key",
	"your_secret_key",
	"yoursecretkey",
	"supersecret",
	"super_secret",
	"jwt_secret",
	"jwtsecret",
	"mysecret",
	"password",
	"test",
}

// weakness says what is wrong with secret and how to fix it, or "" when nothing is.
func weakness(secret Secret) (what, hint string) {
	const generate = "generate one with `openssl rand -base64 48`"
	s := string(secret)
	lower := strings.ToLower(strings.TrimSpace(s))
	for _, sample := range sampleSecrets {
		if lower == sample {
			return "is a well-known sample value", generate
		}
	}
	if len(s) < MinSecretLen {
		return fmt.Sprintf("must be at least %d bytes", MinSecretLen),
			fmt.Sprintf("it has %d; %s", len(s), generate)
	}
	if strings.ContainsAny(s, "<>") || strings.Contains(lower, "openssl rand") {
		return "is a placeholder from the documentation, not a secret", generate
	}
	if distinctBytes(s) < 8 {
		return "is too repetitive to be random", generate
	}
	return "", ""
}

func distinctBytes(s string) int {
	var seen [256]bool
	n := 0
	for i := 0; i < len(s); i++ {
		if !seen[s[i]] {
			seen[s[i]] = true
			n++
		}
	}
	return n
}

// checkSecret makes a missing or weak JWT secret a problem in production and a weak one a
// warning in development, where EnsureSecret fills in a missing one.
func (l *loader) checkSecret(c *Config) {
	if c.JWTSecret == "" {
		if c.Production() {
			l.problem("JWT_SECRET", "is required in production")
		}
		return
	}

	what, hint := weakness(c.JWTSecret)
	switch {
	case what == "":
	case c.Production():
		l.problem("JWT_SECRET", "%s in production (%s)", what, hint)
	default:
		l.warn("JWT_SECRET", "%s; accepted in development only (%s)", what, hint)
	}
}
