package broadcast_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
)

// heldCarrier is a provider whose calls answer only when the test says so,
// like calls to a distant API that take as long as the test wants. Beyond
// limit calls in flight (0: no limit) it refuses at once, as Twilio does
// with 20429.
type heldCarrier struct {
	limit int

	mu       sync.Mutex
	inFlight map[string]int // by From
	total    int
	peak     int
	sent     map[string]int // by To
	refused  int
	release  chan struct{}
	opened   bool
}

func newHeldCarrier(limit int) *heldCarrier {
	return &heldCarrier{limit: limit, inFlight: map[string]int{}, sent: map[string]int{}, release: make(chan struct{})}
}

func (c *heldCarrier) Send(_ context.Context, m broadcast.Outgoing) (string, error) {
	c.mu.Lock()
	if c.limit > 0 && c.total >= c.limit {
		c.refused++
		c.mu.Unlock()
		return "", &broadcast.SendError{Class: broadcast.Retryable, Code: "20429", Message: "Too Many Requests", Throttled: true}
	}
	c.inFlight[m.From.Address]++
	c.total++
	c.peak = max(c.peak, c.total)
	release := c.release
	c.mu.Unlock()
	<-release
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inFlight[m.From.Address]--
	c.total--
	c.sent[m.To]++
	return fmt.Sprintf("SM%032d", len(c.sent)), nil
}

func (c *heldCarrier) Lookup(context.Context, broadcast.Sender, string, time.Time) ([]broadcast.Sent, error) {
	return nil, nil
}

// answer lets every call in flight answer.
func (c *heldCarrier) answer() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.opened {
		return
	}
	close(c.release)
	c.release = make(chan struct{})
}

// open lets every call answer at once from now on.
func (c *heldCarrier) open() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.opened {
		c.opened = true
		close(c.release)
	}
}

// sentCount returns how many recipients were texted.
func (c *heldCarrier) sentCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sent)
}

// state returns calls in flight by From, and in all.
func (c *heldCarrier) state() (map[string]int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string]int, len(c.inFlight))
	for k, v := range c.inFlight {
		m[k] = v
	}
	return m, c.total
}

func heldSetup(t *testing.T, carrier *heldCarrier, cfg func(*broadcast.Config)) (*testBundle, *clockwork.FakeClock) {
	t.Helper()
	fake := clockwork.NewFakeClock()
	b := setup(t, testOpts{clock: fake, engine: func(c *broadcast.Config) {
		c.Provider = carrier
		if cfg != nil {
			cfg(c)
		}
	}})
	t.Cleanup(carrier.open) // before Close: calls answer, so it returns
	return b, fake
}

// TestInFlightFollowsRateTimesLatency: a sender at 100 segments/s whose
// calls take 150 ms keeps 15 calls in flight (Little's law), with headroom
// (20 = ⌈15 × 1.25⌉ + 1), however long they take.
func TestInFlightFollowsRateTimesLatency(t *testing.T) {
	carrier := newHeldCarrier(0)
	b, fake := heldSetup(t, carrier, func(c *broadcast.Config) { c.Latency = 150 * time.Millisecond })
	b.addSenders(t, 100, "+12065550100")
	b.addContacts(t, "crew", 200, 0)
	b.send(t, "crew", "Dinner is served")
	stepClockUntil(t, fake, time.Millisecond, "20 calls in flight", func() bool { _, n := carrier.state(); return n >= 20 })
	// The pacer would allow 100 more in the next second; the limit holds.
	for range 100 {
		fake.Advance(10 * time.Millisecond)
	}
	if _, n := carrier.state(); n != 20 {
		t.Fatalf("%d calls in flight, want 20", n)
	}
	stepClockUntil(t, fake, 10*time.Millisecond, "every text sent", func() bool {
		carrier.answer()
		return carrier.sentCount() == 200
	})
	if carrier.peak != 20 {
		t.Fatalf("peak of %d calls in flight, want 20", carrier.peak)
	}
	for to, n := range carrier.sent {
		if n != 1 {
			t.Fatalf("%s texted %d times", to, n)
		}
	}
}

// TestInFlightSharesTheCapByRate: two senders at 300 and 100 segments/s
// that could each use more than the account's 20 calls in flight share
// them 3 to 1.
func TestInFlightSharesTheCapByRate(t *testing.T) {
	carrier := newHeldCarrier(0)
	b, fake := heldSetup(t, carrier, func(c *broadcast.Config) {
		c.Latency = 100 * time.Millisecond
		c.Gate = broadcast.NewGate(broadcast.GateConfig{Limit: 20, Clock: c.Clock})
	})
	b.addSenders(t, 300, "+12065550100")
	b.addSenders(t, 100, "+12065550101")
	// Twice as many contacts on the first: both stay busy.
	b.addContacts(t, "crew", 400, 0)
	b.send(t, "crew", "Dinner is served")
	want := map[string]int{"+12065550100": 15, "+12065550101": 5}
	// The first calls go before both senders have work; after a round of
	// answers, each holds its share.
	rounds := 0
	stepClockUntil(t, fake, time.Millisecond, "shares of 15 and 5", func() bool {
		got, _ := carrier.state()
		if got["+12065550100"] == want["+12065550100"] && got["+12065550101"] == want["+12065550101"] {
			return true
		}
		if rounds++; rounds%100 == 0 {
			carrier.answer()
		}
		return false
	})
	for range 50 {
		fake.Advance(10 * time.Millisecond)
	}
	if got, n := carrier.state(); n != 20 || got["+12065550100"] != 15 {
		t.Fatalf("in flight %v, want %v", got, want)
	}
}

// TestThrottledCallsShrinkTheCap: an account that allows 10 calls in
// flight refuses the rest with 20429; the gate shrinks to what it allows,
// progress says so, and every text is sent exactly once.
func TestThrottledCallsShrinkTheCap(t *testing.T) {
	carrier := newHeldCarrier(10)
	gate := make(chan *broadcast.Gate, 1)
	b, fake := heldSetup(t, carrier, func(c *broadcast.Config) {
		c.Unpaced = true
		c.Gate = broadcast.NewGate(broadcast.GateConfig{Limit: 100, Name: "Twilio", Clock: c.Clock})
		gate <- c.Gate
	})
	g := <-gate
	b.addSenders(t, 1, "+12065550100", "+12065550101")
	b.addContacts(t, "crew", 300, 0)
	_, progress := b.send(t, "crew", "Dinner is served")
	// Before any call answers: the refusals cut the cap, and the progress
	// published after them (their outcomes commit after the cut) says so.
	notes := map[string]bool{}
	stepClockUntil(t, fake, time.Millisecond, "progress saying Twilio limits concurrent requests", func() bool {
		select {
		case p := <-progress:
			if p.Throttled != "" {
				notes[p.Throttled] = true
			}
		default:
		}
		return len(notes) > 0
	})
	if st, err := b.engine.Status(context.Background(), 1); err != nil || st.Throttled == "" {
		t.Fatalf("status while throttled: %q (%v), want the note", st.Throttled, err)
	}
	stepClockUntil(t, fake, time.Millisecond, "every text sent", func() bool {
		carrier.answer()
		return carrier.sentCount() == 300
	})
	st := g.State()
	if st.Cuts == 0 || carrier.peak > 10 {
		t.Fatalf("gate %+v, carrier peak %d: want cuts and never over 10 at the carrier", st, carrier.peak)
	}
	for n := range notes {
		var k int
		if _, err := fmt.Sscanf(n, "Twilio is limiting concurrent requests: sending %d at a time", &k); err != nil || k < 1 || k > 50 {
			t.Fatalf("note %q", n)
		}
	}
	if len(carrier.sent) != 300 {
		t.Fatalf("%d recipients texted, want 300", len(carrier.sent))
	}
	for to, n := range carrier.sent {
		if n != 1 {
			t.Fatalf("%s texted %d times", to, n)
		}
	}
	t.Logf("refused %d calls, %d cuts, cap now %d", carrier.refused, st.Cuts, st.Limit)
}
