package token

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// RefreshLen is the length of a refresh token: 32 random bytes in unpadded base64url.
const RefreshLen = 43

// HKDF labels of the two refresh-token keys. Changing one invalidates every stored token.
const (
	hashKeyInfo      = "finintelli refresh-token hash v1"
	successorKeyInfo = "finintelli refresh-token successor v1"
)

// Refresher makes refresh tokens and derives values from them. It is safe for concurrent use.
type Refresher struct {
	hashKey      []byte
	successorKey []byte
}

// NewRefresher derives the Refresher's two keys from secret with HKDF-SHA256, one per
// purpose, so the secret itself is never used as a key. The caller must ensure secret is long
// and random (32 bytes or more): anyone who knows it can compute every successor of a token.
// It panics only when HKDF refuses the secret, which happens in FIPS 140-only mode for secrets
// under 14 bytes.
func NewRefresher(secret []byte) *Refresher {
	return &Refresher{
		hashKey:      deriveKey(secret, hashKeyInfo),
		successorKey: deriveKey(secret, successorKeyInfo),
	}
}

// New returns a fresh random refresh token of RefreshLen characters.
func (r *Refresher) New() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err // not reached: crypto/rand.Read does not return errors
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Hash returns the form of raw to store and look up: hex HMAC-SHA256 under the hash key.
func (r *Refresher) Hash(raw string) string {
	return hex.EncodeToString(mac(r.hashKey, raw))
}

// Successor returns the token that follows raw in its chain: base64url HMAC-SHA256 under the
// successor key. It is deterministic, so a refresh retried with the same token yields the
// same new token.
func (r *Refresher) Successor(raw string) string {
	return base64.RawURLEncoding.EncodeToString(mac(r.successorKey, raw))
}

// Valid reports whether raw looks like a refresh token: RefreshLen characters of canonical
// unpadded base64url. It says nothing about whether the token exists.
func (r *Refresher) Valid(raw string) bool {
	if len(raw) != RefreshLen {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(raw)
	return err == nil && len(b) == 32
}

func deriveKey(secret []byte, info string) []byte {
	key, err := hkdf.Key(sha256.New, secret, nil, info, sha256.Size)
	if err != nil {
		// Reached only in FIPS 140-only mode with a secret under 14 bytes: a configuration
		// error that must stop the program at start-up rather than weaken every token.
		panic("token: refresh key: " + err.Error())
	}
	return key
}

func mac(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
