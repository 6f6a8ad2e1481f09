// Package password hashes and verifies passwords with bcrypt, bounds how much hashing work
// runs at once, and recognises the most common passwords.
//
// # Long passwords
//
// bcrypt reads only the first 72 bytes of its input, so two long passwords that share a
// 72-byte prefix would hash alike. A password longer than 72 bytes is therefore pre-hashed:
// bcrypt is given base64.StdEncoding(SHA-256(password)), a 44-byte string. A password of at
// most 72 bytes goes to bcrypt unchanged, so every hash made of such a password by other
// bcrypt code stays valid. Hashes that another system made of a longer password by silent
// truncation do not verify; those users have to reset their password.
//
// # Accepted hashes
//
// Verify accepts bcrypt hashes with the prefixes $2a$, $2b$ and $2y$, and legacy unsalted
// SHA-256 digests written as 64 hexadecimal digits. A legacy digest, or a bcrypt hash of
// another cost than the configured one, verifies with upgrade set, telling the caller to store
// a fresh Hash of the password.
//
// # Bounded work
//
// A Hasher runs at most Config.MaxConcurrent bcrypt operations at once. Further callers wait
// in a queue of at most Config.MaxQueue; when the queue is full they get ErrBusy at once, so a
// flood of logins turns into quick refusals instead of an ever-growing backlog.
package password
