package modeltest

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"smsbot/broadcast"
)

// Run plays the sequence that seed makes against a real engine, a real
// SQLite store in opts.Dir and the Twilio fake over HTTP, then checks the
// invariants. The seed fixes the operations, their virtual times and the
// faults; how the engine's goroutines interleave still varies from run
// to run. Run sets GOMAXPROCS to 1 while it runs (see simClock), so only
// one Run at a time may run in a process.
func Run(ctx context.Context, seed uint64, opts Options) Result {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	p := newPlan(seed)
	res := Result{Seed: seed, Plan: p.String()}
	if opts.Engines > 1 && opts.Postgres == "" {
		res.Violations = []Violation{{InvRun, "several engines need PostgreSQL (Options.Postgres)"}}
		return res
	}
	w, err := newWorld(ctx, p, opts)
	if err != nil {
		res.Violations = []Violation{{InvRun, fmt.Sprintf("setting up: %v", err)}}
		return res
	}
	w.log.printf("seed %d: %s", seed, p)
	w.log.printf("faults: %v", w.faults)
	say := func(format string, args ...any) { w.log.printf(format, args...) }
	started := true
	for slot := range w.live {
		started = started && w.await(fmt.Sprintf("start of engine %d", slot+1), func() { w.startAsync(say, slot) }) && !w.failed
	}
	if started && w.runOps() {
		w.finish()
	}
	res.Texts, res.Requests = len(w.fake.Outbound()), w.fake.Requests()
	res.Virtual = w.clock.Now().Sub(p.start)
	w.close()
	res.Violations = w.broken
	res.Log = w.log.String()
	return res
}

func (p plan) String() string {
	return fmt.Sprintf("%d ops, start %s, max attempts %d, in flight %d, batch %d, %d invalid numbers",
		len(p.ops), p.start.Format(time.RFC3339), p.maxAttempts, p.inFlight, p.batch, len(p.invalid))
}

// runOps plays the ops, checking progress against the store after each.
func (w *world) runOps() bool {
	for i, o := range w.plan.ops {
		if !w.advance(o.after) {
			return false
		}
		if !w.await(fmt.Sprintf("op #%d (%s)", i, o.kind), func() { w.do(i, o) }) || w.failed {
			return false
		}
		w.checkpoint(fmt.Sprintf("after op #%d", i))
	}
	return true
}

// finish lets every broadcast end, has the operator repair what an
// operator would (a number if none is left, Resume), checks that every
// broadcast ends, closes the engine and checks the rest.
func (w *world) finish() {
	approved := w.model.approved()
	settled := func() bool {
		for _, b := range approved {
			if s := w.status(b); s == broadcast.StatusSending || s.Final() && w.unsettled(b) {
				return false
			}
		}
		return true
	}
	w.mu.Lock()
	full := w.fullUntil.Sub(w.clock.Now())
	w.mu.Unlock()
	if full > 0 && !w.advance(full) { // the disk is freed first
		return
	}
	w.drain(30*time.Minute, settled)
	w.log.printf("drained: every broadcast ended or paused, or nothing is left to happen")
	stuck := map[int]bool{}
	for _, b := range approved {
		switch w.status(b) {
		case broadcast.StatusSending:
			stuck[b.k] = true
			w.violate(InvEnd, "B%d is stuck sending at %s: the store has %s", b.k, w.since(), w.storeCounts(b))
		case broadcast.StatusPaused:
			if b.operator == "pause" {
				continue
			}
			if why, err := w.pauseNote(b); err != nil || why == "" {
				w.violate(InvEnd, "B%d is paused, not by an operator, and its progress gives no reason (%v)", b.k, errText(err))
			}
		}
	}
	say := func(format string, args ...any) { w.log.printf("end: "+format, args...) }
	if len(w.model.enabled(w.plan.addresses)) == 0 {
		w.await("numbers add at the end", func() { w.do(-1, op{kind: opNumberAdd, rate: 5}) })
	}
	for _, b := range approved {
		if w.status(b) == broadcast.StatusPaused {
			w.await("resume at the end", func() {
				_, err := w.first().eng.Resume(w.ctx, b.id, "op")
				say("resume B%d: %v", b.k, errText(err))
			})
		}
	}
	w.drain(time.Hour, func() bool {
		for _, b := range approved {
			if !w.status(b).Final() || w.unsettled(b) {
				return false
			}
		}
		return true
	})
	for _, b := range approved {
		if s := w.status(b); (!s.Final() || w.unsettled(b)) && !stuck[b.k] {
			w.violate(InvEnd, "B%d never finished: %s at %s, the store has %s", b.k, s, w.since(), w.storeCounts(b))
		}
	}
	if len(w.live) > 1 && !w.advance(2*leaseEvery) { // every engine has synced since
		return
	}
	w.checkpoint("at the end")
	for _, inc := range w.engines() {
		var err error
		if !w.await("Close at the end", func() { err = inc.eng.Close(); inc.stopKeeper() }) {
			return
		}
		inc.life.retire(func() {
			w.violate(InvRun, "engine %d called the store or Twilio after its Close returned", inc.gen)
		})
		w.retire(inc, "closed")
		say("engine %d closed: %v", inc.gen, errText(err))
	}
	w.check()
}

// pauseNote is why a live engine says b is paused: with several engines,
// the one that paused it knows.
func (w *world) pauseNote(b *bcast) (string, error) {
	var err error
	for _, inc := range w.engines() {
		var p broadcast.Progress
		if p, err = inc.eng.Status(w.ctx, b.id); err == nil && p.Note != "" {
			return p.Note, nil
		}
	}
	return "", err
}

// status reads a broadcast's status from the store.
func (w *world) status(b *bcast) broadcast.Status {
	got, err := w.wstore.Broadcast(w.ctx, b.id)
	if err != nil {
		return "unreadable: " + broadcast.Status(err.Error())
	}
	return got.Status
}

// unsettled reports whether the store has texts of b queued or in flight.
func (w *world) unsettled(b *bcast) bool {
	c, err := w.wstore.Counts(w.ctx, b.id)
	return err != nil || c.Remaining() > 0
}

func (w *world) storeCounts(b *bcast) string {
	c, err := w.wstore.Counts(w.ctx, b.id)
	if err != nil {
		return err.Error()
	}
	return fmtCounts(c)
}

// checkpoint compares each live engine's progress of each broadcast with
// the store, once the world is quiet. A difference that lasts through a
// few settles is a violation. With several engines an engine learns of
// the others' texts only when it syncs (every leaseEvery), so during the
// sequence its counts may only lag the store's (never run ahead of them);
// at the end, after every engine synced with nothing left to send, they
// must agree.
func (w *world) checkpoint(when string) {
	if w.diskFull() {
		return
	}
	exact := len(w.live) == 1 || when == "at the end"
	if !exact && w.lenient() {
		return
	}
	for _, inc := range w.engines() {
		for _, b := range w.model.approved() {
			var msg string
			for range 3 {
				msg = w.progressDiff(inc, b, exact)
				if msg == "" {
					break
				}
				if w.clock.settle() != nil {
					return
				}
			}
			if msg != "" {
				w.violate(InvCounts, "%s (%s), B%d, engine %d: %s", when, w.since(), b.k, inc.gen, msg)
			}
		}
	}
}

func (w *world) progressDiff(inc *incarnation, b *bcast, exact bool) string {
	p, err := inc.eng.Status(w.ctx, b.id)
	if err != nil {
		return "Status: " + err.Error()
	}
	c, err := w.wstore.Counts(w.ctx, b.id)
	if err != nil {
		return "Counts: " + err.Error()
	}
	st := w.status(b)
	if exact && sameCounts(p.Counts, c) && p.Broadcast.Status == st || !exact && lagging(p.Counts, c) {
		return ""
	}
	how := "progress says"
	if !exact {
		how = "progress is ahead of the store:"
	}
	return fmt.Sprintf("%s %s, %s; the store says %s, %s", how, p.Broadcast.Status, fmtCounts(p.Counts), st, fmtCounts(c))
}

func sameCounts(a, b broadcast.Counts) bool {
	return a.Total == b.Total && a.Queued == b.Queued && a.Sending == b.Sending && a.Done() == b.Done() &&
		a.Failed == b.Failed && a.Skipped == b.Skipped
}

// lagging reports whether an engine's counts a are the store's b as they
// were some time before: the same total, and no more texts settled.
func lagging(a, b broadcast.Counts) bool {
	return a.Total == b.Total && a.Done() <= b.Done() && a.Failed <= b.Failed && a.Skipped <= b.Skipped
}
