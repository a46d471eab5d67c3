package twilio_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/twilio"
	"smsbot/broadcast/twilio/twiliotest"
)

// lookupBundle is a fake and a provider on one fake clock.
type lookupBundle struct {
	fake  *twiliotest.Server
	p     *twilio.Provider
	clock *clockwork.FakeClock
	from  broadcast.Sender
}

func setupLookup(t *testing.T, cfg twiliotest.Config) *lookupBundle {
	t.Helper()
	clock := clockwork.NewFakeClockAt(epoch)
	cfg.Now = clock.Now
	fake := twiliotest.NewServer(cfg)
	t.Cleanup(fake.Close)
	return &lookupBundle{fake: fake, p: newProvider(t, fake, twilio.Config{Now: clock.Now}), clock: clock,
		from: broadcast.Sender{Address: "+12065550101"}}
}

func (b *lookupBundle) send(t *testing.T, to, body string) string {
	t.Helper()
	sid, err := b.p.Send(context.Background(), broadcast.Outgoing{From: b.from, To: to, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return sid
}

func (b *lookupBundle) lookup(t *testing.T, to string, since time.Time) []string {
	t.Helper()
	got, err := b.p.Lookup(context.Background(), b.from, to, since)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range got {
		out = append(out, s.SID)
	}
	return out
}

// A text still in Twilio's queue has no date_sent, so the DateSent query
// cannot see it: only the query for the newest page finds it.
func TestLookupFindsTextStillInTwiliosQueue(t *testing.T) {
	t.Parallel()
	b := setupLookup(t, twiliotest.Config{SendDelay: time.Minute})
	sid := b.send(t, "+12065550001", "Doors open")
	b.clock.Advance(30 * time.Second)
	if m, _ := b.fake.Find(sid); !m.DateSent.IsZero() {
		t.Fatalf("the text left the queue: %+v", m)
	}
	if got := b.lookup(t, "+12065550001", epoch.Add(-time.Minute)); !slices.Equal(got, []string{sid}) {
		t.Errorf("Lookup = %v, want the queued text %s", got, sid)
	}
}

// Texts sent long enough ago to have left the newest page are found by
// the DateSent query.
func TestLookupFindsSentTextsBeyondTheNewestPage(t *testing.T) {
	t.Parallel()
	b := setupLookup(t, twiliotest.Config{})
	var sids []string
	for i := range 60 {
		sids = append(sids, b.send(t, "+12065550001", fmt.Sprintf("text %d", i)))
		b.clock.Advance(time.Second)
	}
	b.clock.Advance(time.Hour)
	got := b.lookup(t, "+12065550001", epoch)
	if !slices.Contains(got, sids[0]) || len(got) != len(sids) {
		t.Errorf("Lookup found %d texts (oldest found: %v), want all %d", len(got), slices.Contains(got, sids[0]), len(sids))
	}
	if got := b.lookup(t, "+12065550001", epoch.Add(30*time.Second)); slices.Contains(got, sids[0]) {
		t.Error("Lookup returned a text created before since")
	}
}

// Twilio's list is eventually consistent: a lookup right after the create
// does not see the text yet. This is why the engine waits ReconcileDelay
// before it looks.
func TestLookupDuringListDelay(t *testing.T) {
	t.Parallel()
	b := setupLookup(t, twiliotest.Config{ListDelay: 2 * time.Second})
	sid := b.send(t, "+12065550001", "Doors open")
	if got := b.lookup(t, "+12065550001", epoch.Add(-time.Minute)); len(got) != 0 {
		t.Errorf("Lookup = %v inside the list delay, want nothing", got)
	}
	b.clock.Advance(2 * time.Second)
	if got := b.lookup(t, "+12065550001", epoch.Add(-time.Minute)); !slices.Equal(got, []string{sid}) {
		t.Errorf("Lookup = %v after the list delay, want %s", got, sid)
	}
}
