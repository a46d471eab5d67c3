package broadcast_test

import (
	"context"
	"io"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/broadcast/sim"
)

// A text whose send was interrupted is reconciled after a restart: found
// at the carrier, it is not sent again; not found, it is sent once.
func TestEngineReconcilesAfterRestart(t *testing.T) {
	for _, carrierHasIt := range []bool{true, false} {
		name := map[bool]string{true: "carrier has the text", false: "carrier lost the text"}[carrierHasIt]
		t.Run(name, func(t *testing.T) {
			const victim = "+12065550003"
			carrier := sim.New(sim.Config{Out: io.Discard, Fault: func(m broadcast.Outgoing, attempt int) (error, bool) {
				if m.To == victim && attempt == 1 {
					return &broadcast.SendError{Class: broadcast.Ambiguous, Message: "no answer", Err: errNoAnswer}, carrierHasIt
				}
				return nil, false
			}})
			db := testDB(t)
			first := setup(t, testOpts{dbPath: db, sim: carrier, engine: func(c *broadcast.Config) {
				c.ReconcileDelay = time.Hour // the process "dies" before reconciling
			}})
			first.addSenders(t, 1000, "+12065550101", "+12065550102")
			first.addContacts(t, "crew", 6, 0)
			_, ch := first.send(t, "crew", "Doors open at 7pm")
			waitProgress(t, ch, "5 sent and the victim's text in flight", func(p broadcast.Progress) bool {
				return p.Counts.Sent == 5 && p.Counts.Sending == 1
			})
			if err := first.engine.Close(); err != nil {
				t.Fatal(err)
			}
			if err := first.store.Close(); err != nil {
				t.Fatal(err)
			}

			second := setup(t, testOpts{dbPath: db, sim: carrier})
			ch2, stop, err := second.engine.Subscribe(context.Background(), 1)
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			final := waitDone(t, ch2)
			if final.Counts.Sent != 6 || final.Broadcast.Status != broadcast.StatusCompleted {
				t.Fatalf("final = %s %+v", final.Broadcast.Status, final.Counts)
			}
			texts := 0
			for _, m := range carrier.Sent() {
				if m.To == victim {
					texts++
				}
			}
			if texts != 1 {
				t.Fatalf("%s got %d texts, want exactly 1", victim, texts)
			}
		})
	}
}

func TestEngineSkipsOptedOutAndInvalid(t *testing.T) {
	ctx := context.Background()
	b := setup(t, testOpts{fault: func(m broadcast.Outgoing, _ int) (error, bool) {
		switch m.To {
		case "+12065550001":
			return &broadcast.SendError{Class: broadcast.Permanent, Code: "21211", Message: "Invalid 'To' Phone Number", Effect: broadcast.FlagInvalid}, false
		case "+12065550002":
			return &broadcast.SendError{Class: broadcast.Permanent, Code: "21610", Message: "Attempt to send to unsubscribed recipient", Effect: broadcast.MarkOptedOut}, false
		}
		return nil, false
	}})
	b.addSenders(t, 1000, "+12065550101")
	b.addContacts(t, "crew", 5, 0)
	if _, err := b.store.OptOut(ctx, "+12065550004", "test"); err != nil {
		t.Fatal(err)
	}
	p, ch := b.send(t, "crew", "one")
	if p.Audience.OptedOut != 1 || p.Recipients() != 4 {
		t.Fatalf("preview audience = %+v", p.Audience)
	}
	if got := waitDone(t, ch).Counts; got.Sent != 2 || got.Failed != 2 || got.Skipped != 1 {
		t.Fatalf("first broadcast counts = %+v", got)
	}
	// The carrier's answers flagged two contacts: the next broadcast skips them.
	p, ch = b.send(t, "crew", "two")
	if p.Audience.OptedOut != 2 || p.Audience.Invalid != 1 || p.Recipients() != 2 {
		t.Fatalf("second preview audience = %+v", p.Audience)
	}
	if got := waitDone(t, ch).Counts; got.Sent != 2 || got.Skipped != 3 {
		t.Fatalf("second broadcast counts = %+v", got)
	}
	for _, m := range b.sim.Sent() {
		if m.To == "+12065550004" {
			t.Fatal("an opted-out contact was texted")
		}
	}
}

func TestEngineMovesContactsOfRemovedSender(t *testing.T) {
	ctx := context.Background()
	b := setup(t, testOpts{})
	b.addSenders(t, 1000, "+12065550101", "+12065550102", "+12065550103")
	b.addContacts(t, "crew", 9, 0)
	_, ch := b.send(t, "crew", "one")
	waitDone(t, ch)
	before := senderOf(b.sim.Sent())

	moved, err := b.engine.RemoveSender(ctx, "+12065550103", "test")
	if err != nil || moved != 3 {
		t.Fatalf("RemoveSender = %d, %v; want 3 moved", moved, err)
	}
	b.addSenders(t, 1000, "+12065550104") // adding a sender moves no one
	_, ch = b.send(t, "crew", "two")
	waitDone(t, ch)
	after := senderOf(b.sim.Sent()[9:])
	perSender := map[string]int{}
	for to, from := range after {
		perSender[from]++
		switch {
		case from == "+12065550103" || from == "+12065550104":
			t.Errorf("%s texted from %s", to, from)
		case before[to] != "+12065550103" && before[to] != from:
			t.Errorf("%s moved from %s to %s although its sender stayed", to, before[to], from)
		}
	}
	if perSender["+12065550101"] != 5 && perSender["+12065550101"] != 4 {
		t.Errorf("orphans not spread evenly: %v", perSender)
	}
	if _, err := b.engine.RemoveSender(ctx, "+12065550103", "test"); broadcast.ErrorCode(err) != broadcast.ENOTFOUND {
		t.Fatalf("removing twice: %v", err)
	}
}

func senderOf(ms []sim.Message) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		out[m.To] = m.From
	}
	return out
}

// Commands that arrive while the engine shuts down neither panic nor
// lose work: what they start resumes at the next start.
func TestEngineAfterClose(t *testing.T) {
	ctx := context.Background()
	db := testDB(t)
	b := setup(t, testOpts{dbPath: db})
	b.addSenders(t, 1000, "+12065550101")
	b.addContacts(t, "crew", 3, 0)
	p, err := b.engine.Prepare(ctx, broadcast.Draft{List: "crew", Body: "late", RequestedBy: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.engine.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.engine.Approve(ctx, p.Broadcast.ID, "bob"); err != nil {
		t.Fatalf("approve after close: %v", err)
	}
	if got, err := b.engine.Pause(ctx, p.Broadcast.ID, "bob"); err != nil || got.Status != broadcast.StatusPaused {
		t.Fatalf("pause after close: %s, %v", got.Status, err)
	}
	if got, err := b.engine.Resume(ctx, p.Broadcast.ID, "bob"); err != nil || got.Status != broadcast.StatusSending {
		t.Fatalf("resume after close: %s, %v", got.Status, err)
	}
	if err := b.engine.Close(); err != nil { // twice is fine
		t.Fatal(err)
	}
	if err := b.store.Close(); err != nil {
		t.Fatal(err)
	}

	again := setup(t, testOpts{dbPath: db})
	ch, stop, err := again.engine.Subscribe(ctx, p.Broadcast.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if final := waitDone(t, ch); final.Counts.Sent != 3 {
		t.Fatalf("after restart: %+v", final.Counts)
	}
}
