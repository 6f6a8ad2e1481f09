// Package token mints and verifies short-lived access tokens (HMAC-signed JWTs) and makes
// the opaque refresh tokens that are stored only as keyed hashes.
package token
