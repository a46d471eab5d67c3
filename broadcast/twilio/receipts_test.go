package twilio_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/twilio"
	"smsbot/broadcast/twilio/twiliotest"
)

// lists counts the list requests (GET …/Messages.json) it carries.
type lists struct {
	base http.RoundTripper
	n    atomic.Int64
}

func (l *lists) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/Messages.json") {
		l.n.Add(1)
	}
	return l.base.RoundTrip(r)
}

// receiptsSetup is a provider on a fake Twilio, both on a fake clock, and
// the counter of the provider's list requests.
func receiptsSetup(t *testing.T) (*twilio.Provider, *twiliotest.Server, *clockwork.FakeClock, *lists) {
	t.Helper()
	clock := clockwork.NewFakeClockAt(time.Date(2026, 12, 1, 19, 0, 0, 0, time.UTC))
	fake := twiliotest.NewServer(twiliotest.Config{Now: clock.Now})
	t.Cleanup(fake.Close)
	l := &lists{base: http.DefaultTransport.(*http.Transport).Clone()}
	p, err := twilio.New(twilio.Config{AccountSID: fake.AccountSID(), AuthToken: fake.AuthToken(), APIURL: fake.URL(), Now: clock.Now, Transport: l})
	if err != nil {
		t.Fatal(err)
	}
	return p, fake, clock, l
}

var shortCode = broadcast.Sender{ID: 1, Address: "+12065550101"}

// sendDelivered sends n texts from shortCode, one every step of the fake
// clock, and has Twilio deliver them. It returns their SIDs.
func sendDelivered(t *testing.T, p *twilio.Provider, fake *twiliotest.Server, clock *clockwork.FakeClock, n int, step time.Duration) []string {
	t.Helper()
	sids := make([]string, n)
	for i := range sids {
		sid, err := p.Send(context.Background(), broadcast.Outgoing{From: shortCode, To: fmt.Sprintf("+1425555%04d", i), Body: "Doors open at 7"})
		if err != nil {
			t.Fatal(err)
		}
		if err := fake.SetStatus(sid, "delivered", 0); err != nil {
			t.Fatal(err)
		}
		sids[i] = sid
		clock.Advance(step)
	}
	return sids
}

func TestStatusesPagesThroughEveryReceipt(t *testing.T) {
	p, fake, clock, lists := receiptsSetup(t)
	since := clock.Now()
	sids := sendDelivered(t, p, fake, clock, 2500, 10*time.Millisecond) // 100/s: three pages of 1000
	before := lists.n.Load()
	got, err := p.Statuses(context.Background(), shortCode, since)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, u := range got {
		if u.Status != broadcast.MsgDelivered {
			t.Fatalf("receipt %+v", u)
		}
		seen[u.SID]++
	}
	for _, sid := range sids {
		if seen[sid] != 1 {
			t.Fatalf("receipt of %s read %d times", sid, seen[sid])
		}
	}
	if n := lists.n.Load() - before; n != 3 {
		t.Fatalf("%d list requests for 2,500 receipts, want 3 pages", n)
	}
}

func TestStatusesStopsPagingBeforeSince(t *testing.T) {
	p, fake, clock, lists := receiptsSetup(t)
	sendDelivered(t, p, fake, clock, 1500, 0) // an earlier broadcast, its receipts read long ago
	clock.Advance(2 * time.Hour)
	since := clock.Now()
	recent := sendDelivered(t, p, fake, clock, 900, 10*time.Millisecond)
	before := lists.n.Load()
	got, err := p.Statuses(context.Background(), shortCode, since)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, u := range got {
		seen[u.SID] = true
	}
	for _, sid := range recent {
		if !seen[sid] {
			t.Fatalf("receipt of %s missing", sid)
		}
	}
	// The first page holds the 900 recent texts and 100 older ones: the
	// older earlier texts of the day are not paged through.
	if n := lists.n.Load() - before; n != 1 {
		t.Fatalf("%d list requests, want 1: paging went on past since", n)
	}
}
