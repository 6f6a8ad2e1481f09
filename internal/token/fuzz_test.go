package token_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/finintelli/auth/internal/token"
)

// FuzzVerify checks that Verify accepts only tokens signed with the issuer's secret and
// algorithm, returns the claims they carry, and refuses everything else with an error that
// wraps ErrInvalidToken. The seeds are minted afresh in every process, so the oracle is the
// signature itself rather than a list of minted tokens.
func FuzzVerify(f *testing.F) {
	iss := newIssuer(f, "HS256", &clock{t: epoch})
	for _, sid := range []string{"sess-1", "7d0f6c0e-1f3a-4d2b-9a57-1c2d3e4f5a6b"} {
		tok, _, err := iss.Mint(42, sid)
		if err != nil {
			f.Fatalf("Mint: %v", err)
		}
		head, rest, _ := strings.Cut(tok, ".")
		payload, sig, _ := strings.Cut(rest, ".")
		f.Add(tok)
		f.Add(tok + "=")
		f.Add(tok[:len(tok)-1])
		f.Add(b64(`{"alg":"none","typ":"JWT"}`) + "." + payload + ".")
		f.Add(b64(`{"alg":"HS512","typ":"JWT"}`) + "." + payload + "." + sig)
		f.Add(head + "." + b64(`{"sub":"42","sid":"s","jti":"j","iss":"finintelli",`+
			`"iat":1772366400,"exp":4102444800}`) + "." + sig)
		f.Add(head + "." + payload + "." + sig + "." + sig)
		f.Add(strings.ToUpper(tok))
	}
	for _, s := range []string{"", ".", "..", "a.b.c", "eyJ.eyJ.", "\x00\xff.\n.\t",
		strings.Repeat("A", 5000)} {
		f.Add(s)
	}

	f.Fuzz(func(t *testing.T, tok string) {
		c, err := iss.Verify(tok)
		if err != nil {
			if !errors.Is(err, token.ErrInvalidToken) {
				t.Fatalf("Verify(%q): error %v does not wrap ErrInvalidToken", tok, err)
			}
			return
		}

		claims, ok := signedHS256(tok)
		if !ok {
			t.Fatalf("Verify accepted %q, which is not signed with the secret: %+v", tok, c)
		}
		if sub := strconv.FormatInt(c.UserID, 10); sub != claims.Sub || c.SessionID != claims.Sid {
			t.Fatalf("Verify(%q): got user %s session %q, want %s %q", tok, sub, c.SessionID,
				claims.Sub, claims.Sid)
		}
	})
}

// signedHS256 is an independent statement of what Verify may accept: three canonical
// base64url segments, a header that names HS256, and an HMAC-SHA256 under the test secret
// over the first two. It returns the subject and session claims of such a token.
func signedHS256(tok string) (struct{ Sub, Sid string }, bool) {
	var claims struct{ Sub, Sid string }
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return claims, false
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(parts[0] + "." + parts[1]))
	if parts[2] != base64.RawURLEncoding.EncodeToString(m.Sum(nil)) {
		return claims, false
	}

	var head struct{ Alg string }
	h, err := base64.RawURLEncoding.Strict().DecodeString(parts[0])
	if err != nil || json.Unmarshal(h, &head) != nil || head.Alg != "HS256" {
		return claims, false
	}
	p, err := base64.RawURLEncoding.Strict().DecodeString(parts[1])
	if err != nil || json.Unmarshal(p, &claims) != nil {
		return claims, false
	}
	return claims, true
}

// FuzzMintVerify checks that Mint either refuses its input or mints a token that Verify
// accepts with the same user, session and expiry. Mint must refuse a user id below 1 and an
// empty session id, and must accept a positive id with a session id of plain text up to
// ordinarySessionID bytes (the service's are 36-byte UUIDs).
// ordinarySessionID is the length up to which Mint must accept any valid UTF-8 session id.
const ordinarySessionID = 128

func FuzzMintVerify(f *testing.F) {
	c := &clock{t: epoch}
	iss := newIssuer(f, "HS384", c)
	f.Add(int64(42), "sess-1")
	f.Add(int64(1), "7d0f6c0e-1f3a-4d2b-9a57-1c2d3e4f5a6b")
	f.Add(int64(0), "s")
	f.Add(int64(-1), "s")
	f.Add(int64(1<<63-1), "\"quoted\" and \\ escaped")
	f.Add(int64(7), "")
	f.Add(int64(7), "ünïcödé ✓")

	f.Fuzz(func(t *testing.T, user int64, sid string) {
		tok, exp, err := iss.Mint(user, sid)
		if user <= 0 || sid == "" {
			if err == nil {
				t.Fatalf("Mint(%d, %q) succeeded; want an error", user, sid)
			}
			return
		}
		if err != nil {
			if utf8.ValidString(sid) && len(sid) <= ordinarySessionID {
				t.Fatalf("Mint(%d, %q): %v", user, sid, err)
			}
			return
		}

		got, err := iss.Verify(tok)
		if err != nil {
			t.Fatalf("Verify of a token minted for (%d, %.40q): %v", user, sid, err)
		}
		if got.UserID != user || got.SessionID != sid {
			t.Fatalf("round trip: got (%d, %q), want (%d, %q)", got.UserID, got.SessionID,
				user, sid)
		}
		if !got.ExpiresAt.Equal(exp) || !exp.Equal(epoch.Add(10*time.Minute)) {
			t.Fatalf("expiry: got %v, Mint said %v, want %v", got.ExpiresAt, exp,
				epoch.Add(10*time.Minute))
		}
	})
}

// b64 encodes s as one unpadded base64url segment of a JWT.
func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
