package inbound_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"smsbot/bot"
	"smsbot/inbound"
)

const (
	ada   = "+12065550001" // on the crew list
	grace = "+12065550002"
	linus = "+12065550003"
)

// relayBundle is a service relaying to a chat, with Run going.
type relayBundle struct {
	*bundle
	chat *chat
	svc  *inbound.Service
	ctx  context.Context
}

// setupRelay starts a service on b's store relaying to a chat of burst
// posts at once, one a second after that, with Run going until the test
// ends. store, if not nil, stands in front of b's store.
func setupRelay(t *testing.T, burst int, wrap func(inbound.Store) inbound.Store) *relayBundle {
	t.Helper()
	b := setup(t)
	r := &relayBundle{bundle: b, chat: newChat(b.clock, burst)}
	var st inbound.Store = b.store
	if wrap != nil {
		st = wrap(st)
	}
	var err error
	if r.svc, err = inbound.New(inbound.Config{Store: st, Staff: r.chat, Clock: b.clock}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.ctx = ctx
	done := make(chan error, 1)
	go func() { done <- r.svc.Run(ctx) }()
	t.Cleanup(func() { // before the store closes
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not stop within 10 s")
		}
	})
	return r
}

// text makes from text body, as text number n.
func (r *relayBundle) text(t *testing.T, from string, n int, body string) {
	t.Helper()
	if _, err := r.svc.Receive(context.Background(), inbound.Text{SID: sid(n), From: from, To: "+12065550101", Body: body}); err != nil {
		t.Fatal(err)
	}
}

// runWaits waits, at most 10 s, until Run waits on the fake clock.
func (r *relayBundle) runWaits(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
	defer cancel()
	if err := r.clock.BlockUntilContext(ctx, 1); err != nil {
		t.Fatalf("Run does not wait for a retry: %v", err)
	}
}

// settled makes one more pass itself, after any post under way, and checks
// that it shows nothing more: every text was shown once.
func (r *relayBundle) settled(t *testing.T) {
	t.Helper()
	before := len(r.chat.all())
	if err := r.svc.RelayPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := r.chat.all(); len(got) != before {
		t.Fatalf("shown again: %v", r.chat.texts()[before:])
	}
}

func TestRelaysOfABurstWaitForRetryAfterAndKeepOrder(t *testing.T) {
	r := setupRelay(t, 3, nil)
	r.text(t, ada, 1, "a1")
	r.text(t, grace, 2, "g1")
	r.text(t, ada, 3, "a2")
	r.text(t, linus, 4, "l1") // the 4th post in a second: 429, Retry-After 1
	r.text(t, ada, 5, "a3")
	r.text(t, grace, 6, "g2")
	if got := r.chat.tries(); got != 4 {
		t.Fatalf("%d posts tried during the Retry-After, want 4", got)
	}
	// One token a second: each second one post gets through and the next
	// is told to wait a second again.
	for _, tries := range []int{6, 8, 9} {
		r.runWaits(t)
		r.clock.Advance(time.Second)
		r.chat.waitTries(t, tries)
	}
	r.settled(t)
	want := []string{"a1@", "g1@", "a2@t1", "l1@", "a3@t1", "g2@t2"}
	if got := r.chat.texts(); !slices.Equal(got, want) {
		t.Fatalf("shown %v, want %v", got, want)
	}
	if r.chat.early != 0 {
		t.Fatalf("%d posts before Retry-After had passed", r.chat.early)
	}
}

func TestRelayHonoursALongRetryAfterWhileRunning(t *testing.T) {
	r := setupRelay(t, 5, nil)
	r.chat.set(func(c *chat) { c.throttle = 30 * time.Second })
	r.text(t, ada, 1, "one")
	r.text(t, ada, 2, "two")
	r.text(t, grace, 3, "hi")
	r.runWaits(t)
	r.clock.Advance(29 * time.Second)
	if got := r.chat.tries(); got != 1 {
		t.Fatalf("%d posts within the 30 s Retry-After, want 1", got)
	}
	r.clock.Advance(time.Second)
	r.chat.waitTries(t, 4)
	r.settled(t)
	want := []string{"one@", "two@t1", "hi@"}
	if got := r.chat.texts(); !slices.Equal(got, want) {
		t.Fatalf("shown %v, want %v", got, want)
	}
	if r.chat.early != 0 {
		t.Fatalf("%d posts before Retry-After had passed", r.chat.early)
	}
}

func TestRelayOutageIsRetriedWithBackoff(t *testing.T) {
	r := setupRelay(t, 5, nil)
	r.chat.set(func(c *chat) { c.down = 3 })
	r.text(t, ada, 1, "anyone there?") // try 1 fails
	for _, step := range []struct {
		advance time.Duration
		tries   int
	}{
		{time.Second, 2},     // 1 s after the first failure
		{time.Second, 2},     // the second waits 2 s
		{time.Second, 3},     //
		{3 * time.Second, 3}, // the third waits 4 s
		{time.Second, 4},     // and gets through
	} {
		r.runWaits(t)
		r.clock.Advance(step.advance)
		if step.tries > r.chat.tries() {
			r.chat.waitTries(t, step.tries)
		}
		if got := r.chat.tries(); got != step.tries {
			t.Fatalf("%d tries, want %d", got, step.tries)
		}
	}
	r.settled(t)
	if got := r.chat.texts(); !slices.Equal(got, []string{"anyone there?@"}) {
		t.Fatalf("shown %v", got)
	}
}

func TestRelayWaitsForAnEarlierTextOfTheContact(t *testing.T) {
	r := setupRelay(t, 5, nil)
	r.chat.set(func(c *chat) { c.down = 1 })
	r.text(t, ada, 1, "one") // fails
	r.text(t, grace, 2, "hi")
	r.text(t, ada, 3, "two") // must not overtake "one"
	if got := r.chat.texts(); !slices.Equal(got, []string{"hi@"}) {
		t.Fatalf("shown %v before the retry, want Grace's only", got)
	}
	r.runWaits(t)
	r.clock.Advance(time.Second)
	r.chat.waitTries(t, 4)
	r.settled(t)
	want := []string{"hi@", "one@", "two@t2"}
	if got := r.chat.texts(); !slices.Equal(got, want) {
		t.Fatalf("shown %v, want %v", got, want)
	}
}

func TestRelayRunsOnItsOwnContext(t *testing.T) {
	r := setupRelay(t, 5, nil)
	hold := make(chan struct{})
	r.chat.set(func(c *chat) { c.hold = hold })
	request, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := r.svc.Receive(request, inbound.Text{SID: sid(1), From: ada, To: "+12065550101", Body: "late reply"})
		done <- err
	}()
	// The webhook's client gives up while the post is under way.
	r.chat.waitEntered(t)
	cancel()
	r.chat.set(func(c *chat) { c.hold = nil })
	close(hold)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Receive did not return within 10 s")
	}
	r.settled(t)
	if got := r.chat.texts(); !slices.Equal(got, []string{"late reply@"}) || r.chat.tries() != 1 {
		t.Fatalf("shown %v in %d tries, want once in one", got, r.chat.tries())
	}
}

func TestRelayOfAMessageThePlatformRefusesGivesWayToANotice(t *testing.T) {
	r := setupRelay(t, 5, nil)
	r.chat.set(func(c *chat) { c.refuse = func(m bot.Message) bool { return strings.Contains(m.Text, "💥") } })
	r.text(t, ada, 1, "💥")
	r.text(t, grace, 2, "hi") // the platform is up
	for i := 0; !strings.Contains(strings.Join(r.chat.texts(), " "), "could not be shown"); i++ {
		if i == 20 {
			t.Fatalf("no notice after %d retries: shown %v", i, r.chat.texts())
		}
		r.runWaits(t)
		tries := r.chat.tries()
		r.clock.Advance(relayBackoffMax)
		r.chat.waitTries(t, tries+1)
	}
	if got := r.chat.tries(); got != 2+10 {
		t.Fatalf("%d tries, want 10 of the refused text, then the notice, and Grace's", got)
	}
	r.text(t, ada, 3, "next")
	r.settled(t)
	got := r.chat.texts()
	if len(got) != 3 || got[0] != "hi@" || !strings.Contains(got[1], "⚠️ A text from Ada (+12065550001) ("+sid(1)+") could not be shown here after 10 tries") || got[2] != "next@" {
		t.Fatalf("shown %q", got)
	}
}

// relayBackoffMax is inbound's longest wait between retries.
const relayBackoffMax = 5 * time.Minute

// marks is a store whose first fail marks of a relayed text fail.
type marks struct {
	inbound.Store
	fail int
}

func (m *marks) MarkRelayed(ctx context.Context, sid string, at time.Time) error {
	if m.fail > 0 {
		m.fail--
		return context.DeadlineExceeded
	}
	return m.Store.MarkRelayed(ctx, sid, at)
}

func TestRelayWhoseMarkFailedIsNotShownTwice(t *testing.T) {
	var st *marks
	r := setupRelay(t, 5, func(s inbound.Store) inbound.Store { st = &marks{Store: s, fail: 1}; return st })
	r.text(t, ada, 1, "one")
	r.runWaits(t)
	r.clock.Advance(time.Second) // Run marks it
	r.settled(t)
	if got := r.chat.texts(); !slices.Equal(got, []string{"one@"}) || r.chat.tries() != 1 {
		t.Fatalf("shown %v in %d tries, want once", got, r.chat.tries())
	}
	relayed, err := r.store.Relayed(context.Background(), sid(1))
	if err != nil || !relayed {
		t.Fatalf("relayed %v, %v", relayed, err)
	}
}

func TestRunRelaysTextsLeftFromBeforeARestart(t *testing.T) {
	b := setup(t)
	// The first process stored a text; the chat was down.
	b.staff.failAt = 1
	b.mustPost(t, "/twilio/inbound", incoming(t, ada, sid(1), "still there?"), 200)
	if len(b.staff.all()) != 0 {
		t.Fatal("relayed although the chat was down")
	}
	// The next one relays it from Run, without a new text.
	c := newChat(b.clock, 5)
	svc, err := inbound.New(inbound.Config{Store: b.store, Staff: c, Clock: b.clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	c.waitTries(t, 1)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop within 10 s")
	}
	if got := c.texts(); !slices.Equal(got, []string{"still there?@"}) {
		t.Fatalf("shown %v", got)
	}
}
