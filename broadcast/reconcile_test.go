package broadcast_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/sim"
)

// refusedLookups refuses lookups as Twilio does with bad credentials
// while broken is set.
type refusedLookups struct {
	broadcast.Provider
	broken atomic.Bool
}

func (r *refusedLookups) Lookup(ctx context.Context, from broadcast.Sender, to string, since time.Time) ([]broadcast.Sent, error) {
	if r.broken.Load() {
		return nil, &broadcast.SendError{Class: broadcast.Permanent, Code: "20003", Message: "Twilio refused the credentials", Halt: true}
	}
	return r.Provider.Lookup(ctx, from, to, since)
}

// When even the lookup of an ambiguous text is refused for the
// credentials, the broadcast pauses with the reason instead of retrying
// unseen; nothing is resent, and once fixed, Resume finishes it once.
func TestEngineReconcileRefusedCredentialsPauses(t *testing.T) {
	fake := clockwork.NewFakeClockAt(t0)
	var rl *refusedLookups
	carrier := sim.New(sim.Config{Clock: fake, Fault: func(m broadcast.Outgoing, attempt int) (error, bool) {
		if m.To == "+12065550002" && attempt == 1 {
			return &broadcast.SendError{Class: broadcast.Ambiguous, Message: "502 Bad Gateway"}, true
		}
		return nil, false
	}})
	b := setup(t, testOpts{clock: fake, sim: carrier, engine: func(c *broadcast.Config) {
		rl = &refusedLookups{Provider: c.Provider}
		rl.broken.Store(true)
		c.Provider = rl
	}})
	b.addSenders(t, 10, "+12065550101")
	phones := b.addContacts(t, "crew", 5, 0)
	p, ch := b.send(t, "crew", "Doors open")
	f := &feed{ch: ch}
	paused := advanceUntil(t, fake, f, 50*time.Millisecond, func(p broadcast.Progress) bool {
		return p.Broadcast.Status == broadcast.StatusPaused
	})
	if paused.Note != "Twilio refused the credentials" {
		t.Fatalf("paused with note %q", paused.Note)
	}
	rl.broken.Store(false)
	if _, err := b.engine.Resume(context.Background(), p.Broadcast.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	final := advanceUntil(t, fake, f, 100*time.Millisecond, done)
	if final.Counts.Sent != 5 {
		t.Fatalf("final %+v", final.Counts)
	}
	checkOncePerRecipient(t, carrier.Sent(), phones)
}
