package inbound_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"smsbot/bot"
	"smsbot/broadcast"
	"smsbot/broadcast/twilio"
	"smsbot/broadcast/twilio/twiliotest"
	"smsbot/inbound"
)

// crashingStaff relays until its limit, then "crashes": it cancels the
// poll's context, as a killed process would stop mid-page.
type crashingStaff struct {
	staffLog
	limit  int
	cancel context.CancelFunc
}

func (s *crashingStaff) Relay(ctx context.Context, thread string, m bot.Message) (string, error) {
	if len(s.all()) == s.limit {
		s.cancel()
		return "", context.Canceled
	}
	return s.staffLog.Relay(ctx, thread, m)
}

type replies struct {
	mu   sync.Mutex
	sent []string
}

func (r *replies) send(_ context.Context, phone, body string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, phone+": "+body)
	return nil
}

func (r *replies) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.sent...)
}

func newPoller(t *testing.T, b *bundle, fake *twiliotest.Server, svc *inbound.Service, r *replies) *inbound.Poller {
	t.Helper()
	return newPollerOn(t, b, provider(t, fake), svc, r)
}

// provider is the Twilio provider on fake.
func provider(t *testing.T, fake *twiliotest.Server) *twilio.Provider {
	t.Helper()
	prov, err := twilio.New(twilio.Config{AccountSID: fake.AccountSID(), AuthToken: fake.AuthToken(), APIURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	return prov
}

// newPollerOn is a poller reading src.
func newPollerOn(t *testing.T, b *bundle, src inbound.Source, svc *inbound.Service, r *replies) *inbound.Poller {
	t.Helper()
	p, err := inbound.NewPoller(inbound.PollConfig{Source: src, Service: svc, Store: b.store,
		Senders: b.engine.Senders, Reply: r.send})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPollingSurvivesARestartMidPage(t *testing.T) {
	b := setup(t)
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	ctx := context.Background()
	r := &replies{}

	// The first poll starts the number's cursor: earlier texts are not relayed.
	fake.AddInbound("+12065559999", "+12065550101", "from before the bot")
	first, stop := context.WithCancel(ctx)
	staff1 := &crashingStaff{limit: 120, cancel: stop}
	svc1, err := inbound.New(inbound.Config{Store: b.store, Staff: staff1, AutoReply: "Got it"})
	if err != nil {
		t.Fatal(err)
	}
	p1 := newPoller(t, b, fake, svc1, r)
	if err := p1.Poll(first); err != nil {
		t.Fatal(err)
	}
	const n = 250 // three pages of 100
	for i := range n {
		fake.AddInbound(fmt.Sprintf("+1425555%04d", i), "+12065550101", fmt.Sprintf("text %d", i))
	}
	if err := p1.Poll(first); err == nil {
		t.Fatal("the crashing poll did not stop")
	}

	// "Restart": a new service and poller over the same database.
	staff2 := &staffLog{}
	svc2, err := inbound.New(inbound.Config{Store: b.store, Staff: staff2, AutoReply: "Got it"})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc2.RelayPending(ctx); err != nil {
		t.Fatal(err)
	}
	p2 := newPoller(t, b, fake, svc2, r)
	for range 2 { // a second poll finds nothing new
		if err := p2.Poll(ctx); err != nil {
			t.Fatal(err)
		}
	}

	seen := map[string]int{}
	for _, p := range append(staff1.all(), staff2.all()...) {
		seen[p.msg.Text]++
	}
	for i := range n {
		if got := seen[fmt.Sprintf("> text %d", i)]; got != 1 {
			t.Errorf("text %d relayed %d times", i, got)
		}
	}
	if seen["> from before the bot"] != 0 {
		t.Error("a text from before the first poll was relayed")
	}
	if len(seen) != n {
		t.Errorf("%d distinct relays, want %d", len(seen), n)
	}
	// Without TwiML, the auto-replies go through the API: one per contact.
	sent := r.all()
	if len(sent) != n {
		t.Fatalf("%d auto-replies, want %d", len(sent), n)
	}
	for _, s := range sent {
		if !strings.HasSuffix(s, ": Got it") {
			t.Fatalf("auto-reply %q", s)
		}
	}
}

func TestPollingPicksUpDeliveryStatuses(t *testing.T) {
	b := setup(t)
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	ctx := context.Background()
	prov := provider(t, fake)
	// Ada's text went out through the fake, so Twilio knows its SID.
	sid, err := prov.Send(ctx, broadcast.Outgoing{From: broadcast.Sender{Address: "+12065550101"}, To: "+12065550001", Body: "Dinner"})
	if err != nil {
		t.Fatal(err)
	}
	recordSent(t, b, sid)
	if err := fake.SetStatus(sid, "undelivered", 30006); err != nil {
		t.Fatal(err)
	}
	p := newPoller(t, b, fake, b.svc, &replies{})
	if err := p.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	counts, err := b.store.Counts(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	c, err := b.store.Contact(ctx, "+12065550001")
	if err != nil {
		t.Fatal(err)
	}
	if counts.Undelivered != 1 || c.InvalidReason == "" {
		t.Fatalf("counts %+v, contact invalid %q", counts, c.InvalidReason)
	}
}

// recordSent stores a one-text broadcast whose text has sid.
func recordSent(t *testing.T, b *bundle, sid string) {
	t.Helper()
	id := b.broadcast(t, "Dinner")
	if _, err := b.store.DB().ExecContext(context.Background(), `UPDATE messages SET provider_sid = ? WHERE broadcast_id = ?`, sid, id); err != nil {
		t.Fatal(err)
	}
}
