package auth_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/finintelli/auth/internal/auth"
)

// FuzzUsernameKey checks that one username never splits into several keys: the key is
// stable under Unicode normalisation and case changes, and is its own key. It also checks
// that the policy accepts a username in every canonical normal form or in none.
func FuzzUsernameKey(f *testing.F) {
	for _, s := range []string{"alice", "Alice", "ＡＬＩＣＥ", "straße", "STRASSE", "İstanbul",
		"ǅemal", "ﬁne", "K", "Ω-ohm", "e\u0301cole", "école", "a.b_c-d", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if !utf8.ValidString(name) {
			return
		}
		key := auth.UsernameKey(name)
		if again := auth.UsernameKey(key); again != key {
			t.Fatalf("key of the key differs: %q → %q → %q", name, key, again)
		}
		for _, variant := range []string{norm.NFC.String(name), norm.NFD.String(name),
			norm.NFKD.String(name), strings.ToLower(name), strings.ToUpper(name)} {
			if k := auth.UsernameKey(variant); k != key && sameCaseless(name, variant) {
				t.Fatalf("%q and its variant %q have different keys %q and %q",
					name, variant, key, k)
			}
		}
		if auth.ValidateUsername(name) != nil {
			return
		}
		for _, form := range []norm.Form{norm.NFC, norm.NFD} {
			if err := auth.ValidateUsername(form.String(name)); err != nil {
				t.Fatalf("valid username %q is refused in another normal form: %v", name, err)
			}
		}
	})
}

// sameCaseless reports whether variant is expected to share name's key: Unicode
// normalisation never changes it, and ToUpper/ToLower keep it as long as they change no
// character into one that folds differently (such as the dotted capital I).
func sameCaseless(name, variant string) bool {
	return strings.EqualFold(norm.NFKC.String(name), norm.NFKC.String(variant)) ||
		norm.NFKC.String(name) == norm.NFKC.String(variant)
}

// FuzzIdentityInput feeds arbitrary bytes, valid text or not, to the validators and key
// functions: none of them may panic. A username the policy accepts must be valid text, must
// be found by what its owner types at login, and must have a key without "@", so that it can
// never share a key with an e-mail address.
func FuzzIdentityInput(f *testing.F) {
	for _, s := range []string{"alice", " alice ", "a@b.co", "ａ＠ｂ.co", "\xff\xfe", "e\u0301",
		"\u0301abc", "ab\x00c", "ǅemal@example.com", strings.Repeat("ß", 64), "﹫abc"} {
		f.Add(s)
	}

	f.Fuzz(func(t *testing.T, s string) {
		key := auth.UsernameKey(s)
		_ = auth.EmailKey(s)
		_ = auth.LoginKey(s)
		_ = auth.ValidatePassword(s, s, s)
		emailErr := auth.ValidateEmail(s)
		if emailErr == nil && (!utf8.ValidString(s) || !strings.Contains(s, "@")) {
			t.Fatalf("e-mail address %q accepted", s)
		}
		if auth.ValidateUsername(s) != nil {
			return
		}

		switch {
		case !utf8.ValidString(s):
			t.Fatalf("username %q is not valid UTF-8 but was accepted", s)
		case auth.LoginKey(s) != key:
			t.Fatalf("username %q: login key %q differs from its key %q", s, auth.LoginKey(s),
				key)
		case strings.Contains(key, "@"):
			t.Fatalf("username %q has the key %q, which could be an e-mail address", s, key)
		case emailErr == nil:
			t.Fatalf("%q is both a valid username and a valid e-mail address", s)
		}
	})
}
