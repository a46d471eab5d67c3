package sim_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/latency"
	"smsbot/broadcast/sim"
)

// reply is a text a recipient sent back through Config.Reply.
type reply struct{ from, to, body string }

// receiptWorld is a simulated carrier on a fake clock whose receipts and
// replies arrive on channels.
type receiptWorld struct {
	clock    *clockwork.FakeClock
	p        *sim.Provider
	receipts chan sim.Receipt
	replies  chan reply
}

func newReceiptWorld(t *testing.T, cfg sim.Config) *receiptWorld {
	t.Helper()
	w := &receiptWorld{clock: clockwork.NewFakeClock(), receipts: make(chan sim.Receipt, 100), replies: make(chan reply, 100)}
	cfg.Clock = w.clock
	cfg.Receipt = func(_ context.Context, r sim.Receipt) { w.receipts <- r }
	cfg.Reply = func(_ context.Context, from, to, body string) { w.replies <- reply{from, to, body} }
	w.p = sim.New(cfg)
	t.Cleanup(w.p.Close)
	return w
}

// none fails the test if a receipt is already waiting.
func (w *receiptWorld) none(t *testing.T, when string) {
	t.Helper()
	select {
	case r := <-w.receipts:
		t.Fatalf("%s: receipt %+v", when, r)
	default:
	}
}

// receipt waits for the next receipt and checks its status, code and time.
func (w *receiptWorld) receipt(t *testing.T, sid, status, code string) {
	t.Helper()
	r := recv(t, w.receipts)
	if r.SID != sid || r.Status != status || r.ErrorCode != code || !r.At.Equal(w.clock.Now()) {
		t.Fatalf("receipt %+v, want %s %s %q at %v", r, sid, status, code, w.clock.Now())
	}
}

// delays returns the receipt delays a Provider seeded with seed samples
// first, by Config.Seed's documented second source.
func delays(seed uint64, d latency.Dist, n int) []time.Duration {
	r := rand.New(rand.NewPCG(seed, seed+1))
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d.Sample(r)
	}
	return out
}

func TestReceiptsQueuedSentDeliveredOnTheClock(t *testing.T) {
	dist := latency.Uniform(time.Second, 4*time.Second) // the default
	w := newReceiptWorld(t, sim.Config{Seed: 7})
	for i, d := range delays(7, dist, 5) {
		sid, err := w.p.Send(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		w.receipt(t, sid, "queued", "")
		waitForTimer(t, w.clock, 2)
		w.clock.Advance(d/3 - time.Nanosecond)
		w.none(t, fmt.Sprintf("text %d before a third of its delay %v", i, d))
		w.clock.Advance(time.Nanosecond)
		w.receipt(t, sid, "sent", "")
		waitForTimer(t, w.clock, 1)
		w.clock.Advance(d - d/3 - time.Nanosecond)
		w.none(t, fmt.Sprintf("text %d before its delay %v", i, d))
		w.clock.Advance(time.Nanosecond)
		w.receipt(t, sid, "delivered", "")
	}
}

func TestReceiptFailureIsUndeliveredWithItsCode(t *testing.T) {
	for _, code := range []string{"30003", "30005", "30006", "30007", "30008"} {
		w := newReceiptWorld(t, sim.Config{Failures: sim.Failures{{Code: code, Percent: 100}, {Code: sim.Stop, Percent: 100}},
			ReceiptDelay: latency.Constant(3 * time.Second)})
		sid, err := w.p.Send(context.Background(), text)
		if err != nil {
			t.Fatalf("%s: Send = %v; want the text accepted, to fail later", code, err)
		}
		w.receipt(t, sid, "queued", "")
		waitForTimer(t, w.clock, 2)
		w.clock.Advance(time.Second)
		w.receipt(t, sid, "sent", "")
		w.clock.Advance(2 * time.Second)
		w.receipt(t, sid, "undelivered", code)
		w.clock.Advance(time.Hour)
		select {
		case r := <-w.replies:
			t.Errorf("%s: %+v after an undelivered text; STOP comes only after delivered ones", code, r)
		default:
		}
	}
}

func TestFailureAtSendIsRefusedLikeTwilio(t *testing.T) {
	effects := map[string]broadcast.ContactEffect{"21211": broadcast.FlagInvalid, "21614": broadcast.FlagInvalid,
		"21610": broadcast.MarkOptedOut, "21408": broadcast.NoEffect, "21612": broadcast.NoEffect}
	for code, effect := range effects {
		w := newReceiptWorld(t, sim.Config{Failures: sim.Failures{{Code: code, Percent: 100}}})
		_, err := w.p.Send(context.Background(), text)
		var se *broadcast.SendError
		if !errors.As(err, &se) || se.Class != broadcast.Permanent || se.Code != code || se.Effect != effect || se.Message == "" {
			t.Errorf("%s: Send = %v; want a Permanent SendError %s with effect %v and Twilio's message", code, err, code, effect)
		}
		if n := len(w.p.Sent()); n != 0 {
			t.Errorf("%s: %d texts accepted, want none", code, n)
		}
		w.none(t, code+" refused")
	}
}

func TestStopShareTextsStopBackAfterDelivery(t *testing.T) {
	w := newReceiptWorld(t, sim.Config{Failures: sim.Failures{{Code: sim.Stop, Percent: 100}},
		ReceiptDelay: latency.Constant(3 * time.Second)})
	sid, err := w.p.Send(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	w.receipt(t, sid, "queued", "")
	waitForTimer(t, w.clock, 3)
	w.clock.Advance(time.Second)
	w.receipt(t, sid, "sent", "")
	w.clock.Advance(2 * time.Second)
	w.receipt(t, sid, "delivered", "")
	w.clock.Advance(3*time.Second - time.Nanosecond)
	select {
	case r := <-w.replies:
		t.Fatalf("reply %+v before a second delay after delivery", r)
	default:
	}
	w.clock.Advance(time.Nanosecond)
	if r := recv(t, w.replies); r != (reply{text.To, sender.Address, "STOP"}) {
		t.Fatalf("reply %+v, want STOP from %s to %s", r, text.To, sender.Address)
	}
}

func TestSharesFollowTheSetting(t *testing.T) {
	const n = 20_000
	count := func(fs sim.Failures) map[string]int {
		p := sim.New(sim.Config{Failures: fs, Seed: 3}) // no Receipt: no timers
		got := map[string]int{}
		for range n {
			if _, err := p.Send(context.Background(), text); err != nil {
				var se *broadcast.SendError
				errors.As(err, &se)
				got[se.Code]++
				continue
			}
			got["accepted"]++
		}
		return got
	}
	fs, err := sim.ParseFailures("21610:5%,21211:2%,30003:10%")
	if err != nil {
		t.Fatal(err)
	}
	got := count(fs)
	// Binomial: 5% of 20,000 is 1,000 ± 31 (one standard deviation).
	for code, want := range map[string]int{"21610": 1000, "21211": 400, "accepted": n - 1400} {
		if d := got[code] - want; d < -150 || d > 150 {
			t.Errorf("%s: %d of %d, want about %d", code, got[code], n, want)
		}
	}
	if got := count(nil); got["accepted"] != n {
		t.Errorf("no failures set: %v, want all %d accepted", got, n)
	}
}

func TestSetFailuresAppliesToLaterTexts(t *testing.T) {
	w := newReceiptWorld(t, sim.Config{})
	if _, err := w.p.Send(context.Background(), text); err != nil {
		t.Fatal(err)
	}
	w.p.SetFailures(sim.Failures{{Code: "21610", Percent: 100}})
	if got := w.p.Failures().String(); got != "21610:100%" {
		t.Errorf("Failures() = %s, want 21610:100%%", got)
	}
	if _, err := w.p.Send(context.Background(), text); err == nil {
		t.Error("Send after SetFailures(21610:100%) accepted the text")
	}
	w.p.SetFailures(nil)
	if _, err := w.p.Send(context.Background(), text); err != nil {
		t.Errorf("Send after SetFailures(nil) = %v", err)
	}
}

func TestCloseDropsReceiptsNotYetDue(t *testing.T) {
	w := newReceiptWorld(t, sim.Config{ReceiptDelay: latency.Constant(3 * time.Second)})
	sid, err := w.p.Send(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	w.receipt(t, sid, "queued", "")
	waitForTimer(t, w.clock, 2)
	w.p.Close()
	w.clock.Advance(time.Hour)
	w.none(t, "after Close")
	if _, err := w.p.Send(context.Background(), text); err != nil {
		t.Fatalf("Send after Close = %v; want it to work, without receipts", err)
	}
	w.clock.Advance(time.Hour)
	w.none(t, "for a text sent after Close")
}

func TestWaitReceiptsReturnsOnceTheLastIsDelivered(t *testing.T) {
	w := newReceiptWorld(t, sim.Config{Failures: sim.Failures{{Code: sim.Stop, Percent: 100}},
		ReceiptDelay: latency.Constant(3 * time.Second)})
	if err := w.p.WaitReceipts(context.Background()); err != nil {
		t.Fatalf("WaitReceipts before any text = %v", err)
	}
	if _, err := w.p.Send(context.Background(), text); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- w.p.WaitReceipts(context.Background()) }()
	waitForTimer(t, w.clock, 3) // sent, delivered, STOP
	for _, step := range []time.Duration{time.Second, 2 * time.Second, 3*time.Second - time.Nanosecond} {
		w.clock.Advance(step)
		select {
		case err := <-waited:
			t.Fatalf("WaitReceipts returned %v at %v, before the STOP reply", err, step)
		default:
		}
	}
	w.clock.Advance(time.Nanosecond)
	recv(t, w.replies)
	if err := recv(t, waited); err != nil {
		t.Fatalf("WaitReceipts = %v", err)
	}

	if _, err := w.p.Send(context.Background(), text); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := w.p.WaitReceipts(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitReceipts with receipts due and ctx ended = %v, want context.Canceled", err)
	}
	w.p.Close()
	if err := w.p.WaitReceipts(context.Background()); err != nil {
		t.Errorf("WaitReceipts after Close = %v, want nil: Close drops what was due", err)
	}
}
