package auth

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Limits of the registration policy.
const (
	UsernameMinLen   = 3
	UsernameMaxLen   = 64
	PasswordMinLen   = 8
	PasswordMaxBytes = 1024
	EmailMaxLen      = 254
)

var folder = cases.Fold()

// UsernameKey returns the form of a username that uniqueness and look-ups use: Unicode
// NFKC, then case folding and lower-casing, then NFKC again (folding can undo a
// normalisation). The function is idempotent, so a key is its own key, and "Alice", "alice"
// and full-width "ａｌｉｃｅ" share one.
func UsernameKey(name string) string {
	// Case folding maps a few scripts (Cherokee) to upper case, and folding that result
	// again goes back: lower-casing after folding makes the key a fixed point.
	return norm.NFKC.String(strings.ToLower(folder.String(norm.NFKC.String(name))))
}

// EmailKey returns the form of an e-mail address that uniqueness and look-ups use.
func EmailKey(email string) string {
	return UsernameKey(strings.TrimSpace(email))
}

// LoginKey returns the key to look up what a person typed in a login form: an e-mail
// address or a username share one key space, since a username cannot contain "@".
func LoginKey(login string) string {
	return UsernameKey(strings.TrimSpace(login))
}

// ValidateUsername checks the username policy: 3 to 64 letters (with their combining
// marks), digits, '.', '_' or '-'.
func ValidateUsername(name string) error {
	if !utf8.ValidString(name) {
		return Errorf(EINVALID, "Username must be valid UTF-8 text")
	}
	n := utf8.RuneCountInString(norm.NFC.String(name))
	if n < UsernameMinLen || n > UsernameMaxLen {
		return Errorf(EINVALID, "Username must be %d to %d characters long",
			UsernameMinLen, UsernameMaxLen)
	}
	for i, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' || r == '-' {
			continue
		}
		// Combining marks belong to the letter before them: "école" typed decomposed
		// ("e" + U+0301) is the same name as the precomposed one.
		if i > 0 && unicode.IsMark(r) {
			continue
		}
		return Errorf(EINVALID,
			"Username may contain only letters, digits, '.', '_' and '-'")
	}
	if mixesLookalikeScripts(name) {
		return Errorf(EINVALID,
			"Username must not mix Latin, Cyrillic and Greek letters")
	}
	if n := utf8.RuneCountInString(UsernameKey(name)); n < UsernameMinLen || n > 2*UsernameMaxLen {
		return Errorf(EINVALID, "Username must be %d to %d characters long",
			UsernameMinLen, UsernameMaxLen)
	}
	return nil
}

// ValidateEmail checks that email is one plain address such as name@example.com.
func ValidateEmail(email string) error {
	bad := Errorf(EINVALID, "Enter a valid e-mail address")
	if email == "" || len(email) > EmailMaxLen || !utf8.ValidString(email) {
		return bad
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" {
		return bad
	}
	at := strings.LastIndexByte(email, '@')
	local, domain := email[:at], email[at+1:]
	if local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, "[") ||
		strings.HasSuffix(domain, ".") || strings.ContainsAny(email, " \t\r\n") {
		return bad
	}
	return nil
}

// ValidatePassword checks the password policy: 8 characters to 1024 bytes, valid text, and
// not the username or the e-mail address. Whether it is too common is checked by the hasher.
func ValidatePassword(password, username, email string) error {
	if !utf8.ValidString(password) {
		return Errorf(EINVALID, "Password must be valid UTF-8 text")
	}
	if utf8.RuneCountInString(password) < PasswordMinLen {
		return Errorf(EINVALID, "Password must be at least %d characters long", PasswordMinLen)
	}
	if len(password) > PasswordMaxBytes {
		return Errorf(EINVALID, "Password must be at most %d bytes long", PasswordMaxBytes)
	}
	key := UsernameKey(password)
	if (username != "" && key == UsernameKey(username)) || (email != "" && key == EmailKey(email)) {
		return Errorf(EINVALID, "Password must not be the same as the username or e-mail")
	}
	return nil
}

// lookalikeScripts are scripts with letters that look alike ("a" and Cyrillic "а"): a name
// that mixes them is how an impostor copies an account's name.
var lookalikeScripts = []*unicode.RangeTable{unicode.Latin, unicode.Cyrillic, unicode.Greek}

// mixesLookalikeScripts reports whether name has letters of more than one of the
// lookalike scripts.
func mixesLookalikeScripts(name string) bool {
	seen := -1
	for _, r := range name {
		for i, script := range lookalikeScripts {
			if !unicode.Is(script, r) {
				continue
			}
			if seen >= 0 && seen != i {
				return true
			}
			seen = i
		}
	}
	return false
}
