package app

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/config"
)

// maxFirstDelay bounds the random wait before the first round, so that instances started
// together do not all prune at once, yet a fresh start does not wait a whole interval.
const maxFirstDelay = time.Minute

// housekeeper prunes old refresh tokens, sessions and activity on a timer. Several
// instances may run it at once: the prunes delete in small batches that never fail on rows
// another instance holds.
type housekeeper struct {
	svc  *auth.Service
	cfg  config.Housekeeping
	log  *slog.Logger
	stop context.CancelFunc
	done chan struct{}
}

// startHousekeeping starts the housekeeper in the background, unless its interval is zero.
func startHousekeeping(svc *auth.Service, cfg config.Housekeeping,
	log *slog.Logger) *housekeeper {
	if cfg.Interval <= 0 {
		log.Info("housekeeping disabled; prune with the tokens and activity commands")
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &housekeeper{svc: svc, cfg: cfg, log: log, stop: cancel, done: make(chan struct{})}
	go h.loop(ctx)
	return h
}

// Stop ends the housekeeper and waits for a round in progress to give up. A nil
// housekeeper does nothing.
func (h *housekeeper) Stop() {
	if h == nil {
		return
	}
	h.stop()
	<-h.done
}

// loop runs a round after a random first delay, then about every interval, with a tenth of
// the interval of random spread.
func (h *housekeeper) loop(ctx context.Context) {
	defer close(h.done)
	wait := randomDuration(min(h.cfg.Interval, maxFirstDelay))
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		h.round(ctx)
		wait = h.cfg.Interval - h.cfg.Interval/20 + randomDuration(h.cfg.Interval/10)
	}
}

// round runs both prunes once, bounded by one interval, and logs what they did.
func (h *housekeeper) round(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.Interval)
	defer cancel()

	tokens, err := h.svc.PruneTokens(ctx, h.cfg.TokenRetention)
	h.report("tokens", tokens, err)
	activity, err := h.svc.PruneActivity(ctx, h.cfg.ActivityRetention)
	h.report("activity", activity, err)
}

func (h *housekeeper) report(job string, p auth.Pruned, err error) {
	if errors.Is(err, context.Canceled) {
		return // the server is stopping
	}
	if err != nil {
		h.log.Warn("housekeeping failed", "job", job, "err", err)
		return
	}
	if p.Tokens+p.Sessions+p.Activity > 0 {
		h.log.Info("housekeeping", "job", job, "tokens_deleted", p.Tokens,
			"sessions_deleted", p.Sessions, "activity_deleted", p.Activity)
	}
}

// randomDuration returns a random duration in [0, d), or 0 when d is not positive.
func randomDuration(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d)
}
