package password

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"runtime"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// DefaultCost is the bcrypt cost used when Config.Cost is zero.
const DefaultCost = 12

// queuePerSlot is how many callers may wait per hashing slot when Config.MaxQueue is zero.
// At cost 12 (about a quarter of a second per operation) a full queue means a wait of about
// four seconds, after which refusing is kinder than queueing.
const queuePerSlot = 16

// bcryptMaxInput is the number of password bytes bcrypt reads.
const bcryptMaxInput = 72

// Config sets up a Hasher. The zero value is ready to use.
type Config struct {
	// Cost is the bcrypt cost of new hashes. Zero means DefaultCost (12); other values are
	// clamped to bcrypt.MinCost..bcrypt.MaxCost.
	Cost int

	// MaxConcurrent is how many bcrypt operations may run at once. Zero or less means
	// runtime.NumCPU().
	MaxConcurrent int

	// MaxQueue is how many callers may wait for a slot before ErrBusy is returned. Zero means
	// 16 × MaxConcurrent; a negative value means no queue at all.
	MaxQueue int

	// MaxWait is how long a caller may wait in the queue before it gets ErrBusy, which
	// bounds the latency of an overloaded server. Zero means DefaultMaxWait; a negative
	// value means no bound.
	MaxWait time.Duration

	// OnWait, when set, is given how long each operation waited for a hashing slot (zero
	// when one was free), for metrics. It must be quick and safe for concurrent use.
	// Operations refused with ErrBusy or cancelled while waiting are not reported.
	OnWait func(time.Duration)
}

// DefaultMaxWait is the longest wait for a hashing slot when Config.MaxWait is zero.
const DefaultMaxWait = time.Second

// Hasher hashes and verifies passwords. It is safe for concurrent use.
type Hasher struct {
	cost  int
	limit *limiter
	dummy []byte // a bcrypt hash at cost that no password matches
	wait  func(time.Duration)

	hook func() // test hook, run while a slot is held
}

// New returns a Hasher for cfg, filling in defaults.
func New(cfg Config) *Hasher {
	cost := cfg.Cost
	switch {
	case cost == 0:
		cost = DefaultCost
	case cost < bcrypt.MinCost:
		cost = bcrypt.MinCost
	case cost > bcrypt.MaxCost:
		cost = bcrypt.MaxCost
	}

	concurrent := cfg.MaxConcurrent
	if concurrent <= 0 {
		concurrent = runtime.NumCPU()
	}

	queue := cfg.MaxQueue
	switch {
	case queue == 0:
		queue = queuePerSlot * concurrent
	case queue < 0:
		queue = 0
	}

	wait := cfg.MaxWait
	if wait == 0 {
		wait = DefaultMaxWait
	}

	return &Hasher{cost: cost, limit: newLimiter(concurrent, queue, wait),
		dummy: dummyHash(cost), wait: cfg.OnWait}
}

// Cost returns the bcrypt cost of new hashes.
func (h *Hasher) Cost() int {
	return h.cost
}

// Stats reports how many bcrypt operations are running and how many callers are waiting.
func (h *Hasher) Stats() Stats {
	return h.limit.stats()
}

// Hash returns a bcrypt hash of password at the configured cost. It returns ErrBusy when the
// hasher is saturated, and a wrapped ctx.Err() when ctx ends while waiting.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.limit.release()

	hash, err := bcrypt.GenerateFromPassword(bcryptInput(password), h.cost)
	if err != nil {
		return "", fmt.Errorf("password: hash: %w", err)
	}
	return string(hash), nil
}

// Verify reports whether password matches hash. Upgrade is true when the password matched
// but hash should be replaced by a fresh Hash: a legacy SHA-256 digest, or bcrypt at another
// cost. A hash in an unknown format gives ok false and no error. Errors are only ErrBusy and
// a wrapped ctx.Err().
//
// Every path, including unknown and legacy formats, does one bcrypt operation at the
// configured cost or the stored one, so the time taken says little about the stored hash.
func (h *Hasher) Verify(ctx context.Context, hash, password string) (ok, upgrade bool, err error) {
	if bcryptHash, isBcrypt := normalizeBcrypt(hash); isBcrypt {
		return h.verifyBcrypt(ctx, bcryptHash, password)
	}

	// Spend the time of a real verification before looking at the digest.
	if err := h.VerifyDummy(ctx, password); err != nil {
		return false, false, err
	}

	if digest, isLegacy := legacyDigest(hash); isLegacy {
		sum := sha256.Sum256([]byte(password))
		ok := subtle.ConstantTimeCompare(sum[:], digest) == 1
		return ok, ok, nil
	}
	return false, false, nil
}

// VerifyDummy spends the time of a real Verify against a hash at the configured cost that no
// password matches. Call it when the user does not exist, so that the answer takes as long as
// for a user who does. It returns the same errors as Verify.
func (h *Hasher) VerifyDummy(ctx context.Context, password string) error {
	if err := h.acquire(ctx); err != nil {
		return err
	}
	defer h.limit.release()

	// The result is always a mismatch; only the time spent matters.
	_ = bcrypt.CompareHashAndPassword(h.dummy, bcryptInput(password))
	return nil
}

func (h *Hasher) verifyBcrypt(ctx context.Context, hash []byte, pw string) (bool, bool, error) {
	cost, err := bcrypt.Cost(hash)
	if err != nil || cost > MaxStoredCost {
		// Malformed despite the prefix, or so costly that one attempt would hold a slot
		// for minutes (cost 31 takes days): treat it like any unknown format.
		return false, false, h.VerifyDummy(ctx, pw)
	}

	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.limit.release()

	if bcrypt.CompareHashAndPassword(hash, bcryptInput(pw)) != nil {
		if cost < h.cost {
			// A cheaper hash (imported, or from an older setting) would answer faster than
			// the others and tell an attacker which accounts have one: spend the
			// configured cost before saying no.
			_ = bcrypt.CompareHashAndPassword(h.dummy, bcryptInput(pw))
		}
		return false, false, nil
	}
	return true, cost != h.cost, nil
}

// MaxStoredCost is the highest bcrypt cost a stored hash may have to be checked at all.
const MaxStoredCost = 16

// acquire takes a hashing slot, reports the wait to OnWait and runs the test hook, if any,
// while holding it.
func (h *Hasher) acquire(ctx context.Context) error {
	start := time.Now()
	if err := h.limit.acquire(ctx); err != nil {
		return err
	}
	if h.wait != nil {
		h.wait(time.Since(start))
	}
	if h.hook != nil {
		h.hook()
	}
	return nil
}

// bcryptInput returns what bcrypt is given for password: the password itself up to 72 bytes,
// and the base64 of its SHA-256 beyond, so that no byte of a long password is ignored.
func bcryptInput(password string) []byte {
	if len(password) <= bcryptMaxInput {
		return []byte(password)
	}
	sum := sha256.Sum256([]byte(password))
	return []byte(base64.StdEncoding.EncodeToString(sum[:]))
}

// normalizeBcrypt recognises a bcrypt hash and rewrites the $2y$ prefix, which names the same
// algorithm, to $2a$.
func normalizeBcrypt(hash string) ([]byte, bool) {
	const bcryptLen = 60

	if len(hash) != bcryptLen {
		return nil, false
	}

	switch hash[:4] {
	case "$2a$", "$2b$":
		return []byte(hash), true
	case "$2y$":
		return []byte("$2a$" + hash[4:]), true
	}
	return nil, false
}

// legacyDigest decodes an unsalted SHA-256 digest written as 64 hexadecimal digits of
// either case.
func legacyDigest(hash string) ([]byte, bool) {
	if len(hash) != 2*sha256.Size {
		return nil, false
	}

	digest, err := hex.DecodeString(strings.ToLower(hash))
	if err != nil {
		return nil, false
	}
	return digest, true
}

// dummySalted is a bcrypt hash, minus its "$2a$04$" head, of a random password that was thrown
// away. No password is known to match it.
const dummySalted = "TUV15NvoebyjvH5xrUhA2.JDej15kT8aChvyEgbaOC6U03hih25Aa"

// dummyHash returns a well-formed bcrypt hash at cost that no known password matches.
// Comparing against it runs the full work of cost, because the cost field alone sets the work.
func dummyHash(cost int) []byte {
	return fmt.Appendf(nil, "$2a$%02d$%s", cost, dummySalted)
}
