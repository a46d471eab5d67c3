package broadcast

import (
	"context"
	"time"
)

// RateRecorder is implemented by a Store that keeps the rate each sender
// was configured for while it sent a broadcast, for the stats. The engine
// calls it whenever it loads a run (started, resumed, restarted, or
// reloaded after a number was added or its rate changed), before it
// reads the run's counts, so a run never ends, nor WaitIdle returns,
// before its rates are recorded. The store records only what changed. A
// Store without it records nothing.
type RateRecorder interface {
	// RecordRates notes, at now, the rate of each enabled sender with
	// texts open in broadcast id, if the broadcast is sending and the rate
	// differs from the one last recorded for it; the first time, also of
	// senders that are done already (the run completed as it loaded).
	RecordRates(ctx context.Context, id int64, now time.Time) error
}

// recordRates records the rates a loaded run sends at, if the store keeps
// them. A failure only costs the stats their configured rate: it is
// logged, not returned.
func (e *Engine) recordRates(id int64) {
	rr, ok := e.store.(RateRecorder)
	if !ok {
		return
	}
	if err := rr.RecordRates(e.ctx, id, e.clock.Now()); err != nil && e.ctx.Err() == nil {
		e.log.Warn("recording the configured rates failed; stats will lack them", "broadcast_id", id, "err", err)
	}
}
