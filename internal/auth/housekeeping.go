package auth

import (
	"context"
	"time"
)

// PruneBatch is how many rows one prune transaction deletes at most. Small batches keep
// each transaction, and the locks it holds, short.
const PruneBatch = 1000

// Pruned says how many rows a prune deleted.
type Pruned struct {
	Tokens   int
	Sessions int
	Activity int
}

// PruneTokens deletes the refresh tokens that expired, or whose session was revoked, more
// than retention ago, and then the sessions left without any token that ended or were last
// used more than retention ago. It deletes in batches of short transactions, so it may run
// beside the server, and in several processes at once. Errors: EINVALID for a retention
// that is not positive, EUNAVAILABLE.
func (s *Service) PruneTokens(ctx context.Context, retention time.Duration) (Pruned, error) {
	if retention <= 0 {
		return Pruned{}, Errorf(EINVALID, "The retention must be positive")
	}
	cutoff := s.now().Add(-retention)

	var p Pruned
	var err error
	p.Tokens, err = s.prune(ctx, func(tx Tx) (int, error) {
		return tx.PruneTokens(ctx, cutoff, PruneBatch)
	})
	if err != nil {
		return p, err
	}
	p.Sessions, err = s.prune(ctx, func(tx Tx) (int, error) {
		return tx.PruneSessions(ctx, cutoff, PruneBatch)
	})
	return p, err
}

// PruneActivity deletes the rows of the activity log older than retention, in batches like
// PruneTokens.
func (s *Service) PruneActivity(ctx context.Context, retention time.Duration) (Pruned,
	error) {
	if retention <= 0 {
		return Pruned{}, Errorf(EINVALID, "The retention must be positive")
	}
	cutoff := s.now().Add(-retention)

	n, err := s.prune(ctx, func(tx Tx) (int, error) {
		return tx.PruneActivity(ctx, cutoff, PruneBatch)
	})
	return Pruned{Activity: n}, err
}

// prune runs batch in transactions of its own until a batch deletes less than PruneBatch
// rows, and returns the total deleted.
func (s *Service) prune(ctx context.Context, batch func(tx Tx) (int, error)) (int, error) {
	total := 0
	for {
		var n int
		err := s.Store.InTx(ctx, func(tx Tx) (err error) {
			n, err = batch(tx)
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < PruneBatch {
			return total, nil
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}
