package token

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
)

// deviceKeyInfo is the HKDF label of the device-token key.
const deviceKeyInfo = "finintelli device token v1"

// DeviceTokens mints and checks device tokens: a browser's proof that it once logged in to
// an account. They let the owner of an account past the per-account login ceiling that an
// attacker spreading guesses over many addresses fills up. A token is a random nonce and
// its MAC over the account key and the nonce, so it is valid for one account only, and
// nothing is stored. It is safe for concurrent use.
type DeviceTokens struct {
	key []byte
}

// NewDeviceTokens derives the device-token key from secret.
func NewDeviceTokens(secret []byte) *DeviceTokens {
	return &DeviceTokens{key: deriveKey(secret, deviceKeyInfo)}
}

// New returns a device token for the account with the given key.
func (d *DeviceTokens) New(account string) string {
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(append(nonce, d.mac(account, nonce)...))
}

// Valid reports whether tok is a device token the server minted for account.
func (d *DeviceTokens) Valid(tok, account string) bool {
	b, err := base64.RawURLEncoding.Strict().DecodeString(tok)
	if err != nil || len(b) != 16+32 {
		return false
	}
	return hmac.Equal(b[16:], d.mac(account, b[:16]))
}

func (d *DeviceTokens) mac(account string, nonce []byte) []byte {
	// The nonce has a fixed length, so account and nonce cannot be shifted into each other.
	return mac(d.key, string(nonce)+account)
}
