package csrf_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/finintelli/auth/internal/csrf"
)

// signedByKey is an independent statement of the token format: 16 bytes of nonce, then
// HMAC-SHA256(key, "csrf v1" || nonce), in unpadded base64url.
func signedByKey(tok string) bool {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(tok)
	if err != nil || len(raw) != 48 {
		return false
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("csrf v1"))
	m.Write(raw[:16])
	return hmac.Equal(m.Sum(nil), raw[16:])
}

func FuzzCheck(f *testing.F) {
	p := newProtector(f, csrf.Config{})
	tok := mintToken(f, p)

	f.Add(tok, tok, "")
	f.Add(tok, tok+"x", "same-origin")
	f.Add("aaaa", "aaaa", "")
	f.Add("", "", "none")
	f.Add(tok[:63]+"A", tok[:63]+"A", "")
	f.Add("\x00\xff", "; XSRF-TOKEN="+tok, "cross-site")

	f.Fuzz(func(t *testing.T, header, cookie, fetch string) {
		r := httptest.NewRequest(http.MethodPost, "http://auth.example.com/auth/x", nil)
		r.Header.Set(csrf.HeaderName, header)
		r.Header.Set("Cookie", csrf.CookieName+"="+cookie)
		r.Header.Set("Sec-Fetch-Site", fetch)

		if err := p.Check(r); err == nil && !signedByKey(header) {
			t.Fatalf("Check passed an unsigned header %q with cookie %q", header, cookie)
		}
	})
}
