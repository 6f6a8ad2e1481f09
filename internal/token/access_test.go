package token_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/finintelli/auth/internal/token"
)

var (
	secret = []byte("0123456789abcdef0123456789abcdef")
	epoch  = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

// clock is a settable time source.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func newIssuer(t testing.TB, alg string, c *clock) *token.Issuer {
	t.Helper()
	iss, err := token.NewIssuer(token.Config{
		Alg:    alg,
		Secret: secret,
		Issuer: "finintelli",
		TTL:    10 * time.Minute,
		Leeway: 5 * time.Second,
		Now:    c.Now,
	})
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}
	return iss
}

// handMade builds a compact JWT from a raw header and payload, signed with HMAC-SHA256 under
// key, or unsigned when key is nil.
func handMade(t *testing.T, header, payload map[string]any, key []byte) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}

	input := enc(header) + "." + enc(payload)
	if key == nil {
		return input + "."
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// goodPayload is a complete, currently valid claim set.
func goodPayload() map[string]any {
	return map[string]any{
		"sub": "42",
		"sid": "sess-1",
		"jti": "id-1",
		"iss": "finintelli",
		"iat": epoch.Unix(),
		"exp": epoch.Add(time.Minute).Unix(),
	}
}

func hs256() map[string]any { return map[string]any{"alg": "HS256", "typ": "JWT"} }

func TestMintVerifyRoundTrip(t *testing.T) {
	for _, alg := range []string{"HS256", "HS384", "HS512"} {
		t.Run(alg, func(t *testing.T) {
			iss := newIssuer(t, alg, &clock{epoch})

			tok, exp, err := iss.Mint(42, "sess-1")
			if err != nil {
				t.Fatalf("Mint: %v", err)
			}
			if want := epoch.Add(10 * time.Minute); !exp.Equal(want) {
				t.Errorf("expiry: got %v, want %v", exp, want)
			}

			got, err := iss.Verify(tok)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got.UserID != 42 || got.SessionID != "sess-1" {
				t.Errorf("claims: got user %d session %q, want 42 and sess-1",
					got.UserID, got.SessionID)
			}
			if !got.IssuedAt.Equal(epoch) || !got.ExpiresAt.Equal(exp) {
				t.Errorf("times: got iat %v exp %v, want %v and %v",
					got.IssuedAt, got.ExpiresAt, epoch, exp)
			}
			raw, err := base64.RawURLEncoding.DecodeString(got.ID)
			if err != nil || len(raw) != 16 {
				t.Errorf("jti: got %q, want 16 bytes of base64url", got.ID)
			}
		})
	}
}

func TestMintPayload(t *testing.T) {
	iss := newIssuer(t, "HS256", &clock{epoch})
	tok, _, err := iss.Mint(7, "s")
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}

	var payload map[string]any
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	if err != nil {
		t.Fatalf("decode payload: %v", err)
	}
	if err := json.Unmarshal(raw, &payload); err != nil {
		t.Fatalf("unmarshal payload: %v", err)
	}

	want := map[string]any{
		"sub": "7", "sid": "s", "iss": "finintelli",
		"iat": float64(epoch.Unix()), "exp": float64(epoch.Add(10 * time.Minute).Unix()),
	}
	for k, v := range want {
		if payload[k] != v {
			t.Errorf("claim %s: got %v, want %v", k, payload[k], v)
		}
	}
	if _, ok := payload["jti"].(string); !ok {
		t.Errorf("claim jti: got %v, want a string", payload["jti"])
	}
}

func TestMintUniqueIDs(t *testing.T) {
	iss := newIssuer(t, "HS256", &clock{epoch})
	seen := map[string]bool{}
	for range 200 {
		tok, _, err := iss.Mint(1, "s")
		if err != nil {
			t.Fatalf("Mint: %v", err)
		}
		c, err := iss.Verify(tok)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if seen[c.ID] {
			t.Fatalf("jti %q repeated", c.ID)
		}
		seen[c.ID] = true
	}
}

func TestMintRejectsBadInput(t *testing.T) {
	iss := newIssuer(t, "HS256", &clock{epoch})
	for _, tc := range []struct {
		user int64
		sid  string
	}{{0, "s"}, {-1, "s"}, {1, ""}} {
		if _, _, err := iss.Mint(tc.user, tc.sid); err == nil {
			t.Errorf("Mint(%d, %q): got nil error, want one", tc.user, tc.sid)
		}
	}
}

func TestVerifyRejects(t *testing.T) {
	c := &clock{epoch}
	iss := newIssuer(t, "HS256", c)
	good, _, err := iss.Mint(42, "sess-1")
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}
	parts := strings.Split(good, ".")

	hs512, _, err := newIssuer(t, "HS512", c).Mint(42, "sess-1")
	if err != nil {
		t.Fatalf("Mint HS512: %v", err)
	}

	tamperedPayload := func() string {
		p := goodPayload()
		p["sub"] = "1"
		body := handMade(t, hs256(), p, secret)
		return parts[0] + "." + strings.Split(body, ".")[1] + "." + parts[2]
	}()

	without := func(claim string) string {
		p := goodPayload()
		delete(p, claim)
		return handMade(t, hs256(), p, secret)
	}
	with := func(claim string, v any) string {
		p := goodPayload()
		p[claim] = v
		return handMade(t, hs256(), p, secret)
	}

	sigBytes, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sigBytes[0] ^= 1
	flipped := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sigBytes)

	tests := []struct {
		name string
		tok  string
	}{
		{"empty string", ""},
		{"garbage", "not a token"},
		{"three dots of garbage", "a.b.c"},
		{"only dots", ".."},
		{"four parts", good + ".x"},
		{"huge", strings.Repeat("a", 10000)},
		{"signed HS512 when HS256 is configured", hs512},
		{"alg none", handMade(t, map[string]any{"alg": "none", "typ": "JWT"}, goodPayload(), nil)},
		{"alg none with an HMAC signature", handMade(t,
			map[string]any{"alg": "none"}, goodPayload(), secret)},
		{"RS256 header signed with secret as HMAC key", handMade(t,
			map[string]any{"alg": "RS256", "typ": "JWT"}, goodPayload(), secret)},
		{"HS384 header signed with HS256", handMade(t,
			map[string]any{"alg": "HS384"}, goodPayload(), secret)},
		{"tampered payload", tamperedPayload},
		{"tampered signature", flipped},
		{"signature removed", parts[0] + "." + parts[1] + "."},
		{"wrong secret", handMade(t, hs256(), goodPayload(), []byte("another secret entirely!"))},
		{"wrong issuer", with("iss", "someone-else")},
		{"no issuer", without("iss")},
		{"missing exp", without("exp")},
		{"expired beyond leeway", with("exp", epoch.Add(-6*time.Second).Unix())},
		{"issued in the future", with("iat", epoch.Add(time.Hour).Unix())},
		{"missing iat", without("iat")},
		{"missing sub", without("sub")},
		{"empty sub", with("sub", "")},
		{"non-numeric sub", with("sub", "alice")},
		{"numeric sub as JSON number", with("sub", 42)},
		{"sub with plus sign", with("sub", "+42")},
		{"sub with leading zero", with("sub", "042")},
		{"sub zero", with("sub", "0")},
		{"sub negative", with("sub", "-42")},
		{"sub overflows int64", with("sub", "9223372036854775808")},
		{"missing sid", without("sid")},
		{"empty sid", with("sid", "")},
		{"missing jti", without("jti")},
		{"exp as string", with("exp", "tomorrow")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := iss.Verify(tt.tok)
			if !errors.Is(err, token.ErrInvalidToken) {
				t.Fatalf("got claims %+v, error %v; want ErrInvalidToken", got, err)
			}
			if got != (token.Claims{}) {
				t.Errorf("got claims %+v with the error, want zero claims", got)
			}
		})
	}

	// The hand-made helper must itself produce tokens that pass, or the table above proves
	// nothing.
	if _, err := iss.Verify(handMade(t, hs256(), goodPayload(), secret)); err != nil {
		t.Fatalf("hand-made good token: got %v, want nil", err)
	}
}

func TestVerifyLeeway(t *testing.T) {
	c := &clock{epoch}
	iss := newIssuer(t, "HS256", c)
	tok, exp, err := iss.Mint(42, "sess-1")
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}

	tests := []struct {
		name    string
		now     time.Time
		wantErr error
	}{
		{"just before expiry", exp.Add(-time.Second), nil},
		{"expired within leeway", exp.Add(4 * time.Second), nil},
		{"expired beyond leeway", exp.Add(6 * time.Second), jwt.ErrTokenExpired},
		{"issued slightly in the future", epoch.Add(-4 * time.Second), nil},
		{"issued well in the future", epoch.Add(-6 * time.Second), jwt.ErrTokenUsedBeforeIssued},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.t = tt.now
			_, err := iss.Verify(tok)
			if tt.wantErr == nil && err != nil {
				t.Fatalf("got %v, want nil", err)
			}
			if tt.wantErr != nil &&
				(!errors.Is(err, tt.wantErr) || !errors.Is(err, token.ErrInvalidToken)) {
				t.Fatalf("got %v, want ErrInvalidToken wrapping %v", err, tt.wantErr)
			}
		})
	}
}

func TestNewIssuerConfig(t *testing.T) {
	base := token.Config{Alg: "HS256", Secret: secret, Issuer: "i", TTL: time.Minute}
	tests := []struct {
		name    string
		edit    func(*token.Config)
		wantErr bool
	}{
		{"valid", func(*token.Config) {}, false},
		{"zero TTL takes default", func(c *token.Config) { c.TTL = 0 }, false},
		{"leeway at max", func(c *token.Config) { c.Leeway = token.MaxLeeway }, false},
		{"unknown alg", func(c *token.Config) { c.Alg = "HS1024" }, true},
		{"RS256", func(c *token.Config) { c.Alg = "RS256" }, true},
		{"none", func(c *token.Config) { c.Alg = "none" }, true},
		{"lower-case alg", func(c *token.Config) { c.Alg = "hs256" }, true},
		{"empty secret", func(c *token.Config) { c.Secret = nil }, true},
		{"empty issuer", func(c *token.Config) { c.Issuer = "" }, true},
		{"negative TTL", func(c *token.Config) { c.TTL = -time.Second }, true},
		{"leeway over max", func(c *token.Config) { c.Leeway = token.MaxLeeway + 1 }, true},
		{"negative leeway", func(c *token.Config) { c.Leeway = -1 }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			tt.edit(&cfg)
			_, err := token.NewIssuer(cfg)
			if (err != nil) != tt.wantErr {
				t.Errorf("got error %v, want error: %v", err, tt.wantErr)
			}
		})
	}
}

func TestDefaultTTL(t *testing.T) {
	iss, err := token.NewIssuer(token.Config{
		Alg: "HS256", Secret: secret, Issuer: "i", Now: (&clock{epoch}).Now,
	})
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}
	_, exp, err := iss.Mint(1, "s")
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}
	if want := epoch.Add(token.DefaultTTL); !exp.Equal(want) {
		t.Errorf("got expiry %v, want %v", exp, want)
	}
}

// The secret is copied, so a caller reusing its buffer cannot change the key.
func TestSecretCopied(t *testing.T) {
	buf := append([]byte(nil), secret...)
	iss, err := token.NewIssuer(token.Config{
		Alg: "HS256", Secret: buf, Issuer: "finintelli", Now: (&clock{epoch}).Now,
	})
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}
	tok, _, err := iss.Mint(1, "s")
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}

	clear(buf)
	if _, err := iss.Verify(tok); err != nil {
		t.Errorf("after clearing the caller's buffer: got %v, want nil", err)
	}
}

func BenchmarkMint(b *testing.B) {
	iss := newIssuer(b, "HS256", &clock{time.Now()})
	for b.Loop() {
		if _, _, err := iss.Mint(42, "sess-1"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	iss := newIssuer(b, "HS256", &clock{time.Now()})
	tok, _, err := iss.Mint(42, "sess-1")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := iss.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}
