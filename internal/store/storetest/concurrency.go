package storetest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// rotations is how many requests race to rotate one token.
const rotations = 20

// think is how long a racer waits between reading the token and rotating it.
const think = 5 * time.Millisecond

// testConcurrentRotation checks the promise of RefreshTokenByHash: while one transaction
// holds a token, another cannot read it as not yet replaced. Every racer that sees the token
// unreplaced rotates it, so more than one child would mean the lock did not hold (and the
// unique parent_id index would turn the second child into an error).
func testConcurrentRotation(t *testing.T, s auth.Store) {
	u := createUser(t, s, "racer")
	sess := createSession(t, s, u.ID, "sess-race")
	parent := createToken(t, s, u.ID, sess.ID, "hash-contended", nil)

	var created atomic.Int32
	var winner atomic.Value
	errs := make(chan error, rotations)
	var wg sync.WaitGroup
	for i := range rotations {
		wg.Go(func() {
			hash := fmt.Sprintf("hash-child-%02d", i)
			err := s.InTx(t.Context(), func(tx auth.Tx) error {
				r, err := tx.RefreshTokenByHash(t.Context(), parent.TokenHash)
				if err != nil || r.ReplacedAt != nil {
					return err
				}
				// Widen the window in which a store without the lock would let a second
				// racer read the token as unreplaced.
				time.Sleep(think)
				if err := tx.MarkTokenReplaced(t.Context(), r.ID, time.Now()); err != nil {
					return err
				}
				child := newToken(u.ID, sess.ID, hash, &r.ID)
				if err := tx.CreateRefreshToken(t.Context(), &child); err != nil {
					return err
				}
				created.Add(1)
				winner.Store(hash)
				return nil
			})
			if err != nil {
				errs <- fmt.Errorf("racer %d: %w", i, err)
			}
		})
	}
	wg.Wait()
	close(errs)

	for err := range errs {
		t.Errorf("got %v, want no error", err)
	}
	if n := created.Load(); n != 1 {
		t.Fatalf("got %d children created, want exactly 1", n)
	}
	var child auth.RefreshToken
	inTx(t, s, func(tx auth.Tx) (err error) {
		child, err = tx.ChildToken(t.Context(), parent.ID)
		return err
	})
	if child.TokenHash != winner.Load() {
		t.Errorf("ChildToken: got hash %q, want the winner's %q", child.TokenHash, winner.Load())
	}
}
