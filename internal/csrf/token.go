package csrf

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// Token layout: a random nonce followed by its MAC, in unpadded base64url, which is safe in
// cookies and headers as is.
const (
	nonceLen = 16
	macLen   = sha256.Size
	tokenLen = 64 // base64.RawURLEncoding.EncodedLen(nonceLen + macLen)
)

// macLabel separates these MACs from any other use of the same key.
const macLabel = "csrf v1"

// mint returns a new signed token.
func (p *Protector) mint() string {
	buf := make([]byte, nonceLen, nonceLen+macLen)
	_, _ = rand.Read(buf) // crypto/rand.Read never fails; it crashes the program instead.

	buf = append(buf, p.sign(buf)...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// valid reports whether tok is a token this Protector signed.
func (p *Protector) valid(tok string) bool {
	if len(tok) != tokenLen {
		return false
	}

	raw, err := base64.RawURLEncoding.Strict().DecodeString(tok)
	if err != nil || len(raw) != nonceLen+macLen {
		return false
	}

	nonce, mac := raw[:nonceLen], raw[nonceLen:]
	return hmac.Equal(mac, p.sign(nonce))
}

func (p *Protector) sign(nonce []byte) []byte {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(macLabel))
	m.Write(nonce)
	return m.Sum(nil)
}
