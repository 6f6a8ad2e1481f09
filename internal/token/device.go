package token

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"time"
)

// deviceKeyInfo is the HKDF label of the device-token key.
const deviceKeyInfo = "finintelli device token v2"

// DeviceTokenTTL is how long a device token is accepted after it was issued.
const DeviceTokenTTL = 365 * 24 * time.Hour

// deviceTokenLen is the length of a decoded device token: nonce, issue time, MAC.
const deviceTokenLen = 16 + 8 + 32

// DeviceTokens mints and checks device tokens: a browser's proof that it once logged in to
// an account. They let the owner of an account past the per-account login ceiling that an
// attacker spreading guesses over many addresses fills up. A token is a random nonce, its
// issue time, and a MAC over those, the account key and a binding value (the account's
// password hash), so it is valid for one account only, for DeviceTokenTTL, and only until
// the password changes. Nothing is stored. It is safe for concurrent use.
type DeviceTokens struct {
	key []byte
	now func() time.Time
}

// NewDeviceTokens derives the device-token key from secret.
func NewDeviceTokens(secret []byte) *DeviceTokens {
	return &DeviceTokens{key: deriveKey(secret, deviceKeyInfo), now: time.Now}
}

// New returns a device token for the account with the given key and binding.
func (d *DeviceTokens) New(account, binding string) string {
	b := make([]byte, 16+8, deviceTokenLen)
	_, _ = rand.Read(b[:16])
	binary.BigEndian.PutUint64(b[16:], uint64(d.now().Unix()))
	return base64.RawURLEncoding.EncodeToString(append(b, d.mac(b, account, binding)...))
}

// Valid reports whether tok is a device token the server minted for account and binding
// within DeviceTokenTTL.
func (d *DeviceTokens) Valid(tok, account, binding string) bool {
	b, err := base64.RawURLEncoding.Strict().DecodeString(tok)
	if err != nil || len(b) != deviceTokenLen {
		return false
	}
	if !hmac.Equal(b[24:], d.mac(b[:24], account, binding)) {
		return false
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(b[16:24])), 0)
	age := d.now().Sub(issued)
	return age >= -time.Minute && age <= DeviceTokenTTL
}

// mac authenticates the nonce and issue time (fixed length, so nothing can shift into
// them), the account and the binding, each length-prefixed.
func (d *DeviceTokens) mac(head []byte, account, binding string) []byte {
	msg := make([]byte, 0, len(head)+16+len(account)+len(binding))
	msg = append(msg, head...)
	msg = binary.BigEndian.AppendUint64(msg, uint64(len(account)))
	msg = append(msg, account...)
	msg = binary.BigEndian.AppendUint64(msg, uint64(len(binding)))
	msg = append(msg, binding...)
	return mac(d.key, string(msg))
}
