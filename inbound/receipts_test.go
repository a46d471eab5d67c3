package inbound_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/twilio"
	"smsbot/broadcast/twilio/twiliotest"
	"smsbot/importer"
	"smsbot/inbound"
	"smsbot/store"
)

// A short code sends 100 texts a second: a minute of sending is 6,000
// texts, three times what one page walk of 2,000 used to read. One status
// poll after it reads every receipt, and no text stays awaiting one.
func TestStatusPollingKeepsUpWithAShortCodeAt100PerSecond(t *testing.T) {
	const n, rate = 6000, 100
	ctx := context.Background()
	clock := clockwork.NewFakeClockAt(time.Date(2026, 12, 1, 19, 0, 0, 0, time.UTC))
	fake := twiliotest.NewServer(twiliotest.Config{Now: clock.Now})
	t.Cleanup(fake.Close)
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "smsbot.db"), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	prov, err := twilio.New(twilio.Config{AccountSID: fake.AccountSID(), AuthToken: fake.AuthToken(), APIURL: fake.URL(), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	// The engine sends as fast as the fake answers; the fake clock moves
	// 10 ms per text, so Twilio's list shows 100 texts a second.
	eng, err := broadcast.New(broadcast.Config{Store: st, Provider: prov, Clock: clock, Unpaced: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := eng.Close(); err != nil {
			t.Error(err)
		}
	})
	if _, _, err := eng.AddSender(ctx, "+12065550101", rate, "test"); err != nil {
		t.Fatal(err)
	}
	err = st.ImportContacts(ctx, "everyone", "test", func(w importer.Writer) error {
		rows := make([]importer.Row, n)
		for i := range rows {
			rows[i] = importer.Row{Line: i + 2, Phone: fmt.Sprintf("+1425555%04d", i)}
		}
		_, err := w.Write(ctx, rows)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	stopClock := make(chan struct{})
	clockDone := make(chan struct{})
	go func() { // each text Twilio stores moves the clock on by 1/rate s
		defer close(clockDone)
		for {
			select {
			case <-fake.Created():
				clock.Advance(time.Second / rate)
			case <-stopClock:
				return
			}
		}
	}()
	p, err := eng.Prepare(ctx, broadcast.Draft{List: "everyone", Body: "Doors open at 7", RequestedBy: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	ch, stop, err := eng.Subscribe(ctx, p.Broadcast.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if _, err := eng.Approve(ctx, p.Broadcast.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	waitDone(t, ch, time.Minute)
	close(stopClock)
	select {
	case <-clockDone:
	case <-time.After(10 * time.Second):
		t.Fatal("the clock mover did not stop within 10 s")
	}
	out := fake.Outbound()
	if len(out) != n {
		t.Fatalf("Twilio has %d texts, want %d", len(out), n)
	}
	if span := out[n-1].DateCreated.Sub(out[0].DateCreated); span < 59*time.Second {
		t.Fatalf("the texts span %v of Twilio's clock, want a minute at %d/s", span, rate)
	}
	for _, m := range out {
		if err := fake.SetStatus(m.SID, "delivered", 0); err != nil {
			t.Fatal(err)
		}
	}

	svc, err := inbound.New(inbound.Config{Store: st, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	poller, err := inbound.NewPoller(inbound.PollConfig{Source: prov, Service: svc, Store: st, Senders: eng.Senders,
		Reply: func(context.Context, string, string) error { return nil }, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if err := poller.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	counts, err := st.Counts(ctx, p.Broadcast.ID)
	if err != nil {
		t.Fatal(err)
	}
	awaiting, err := st.AwaitingStatus(ctx, clock.Now().Add(-48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if counts.Delivered != n || len(awaiting) != 0 {
		t.Fatalf("after one status poll: %d of %d delivered, senders still awaiting receipts: %v", counts.Delivered, n, awaiting)
	}
}

// waitDone waits, at most d, for the last progress of a broadcast.
func waitDone(t *testing.T, ch <-chan broadcast.Progress, d time.Duration) broadcast.Progress {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case pr, ok := <-ch:
			if !ok {
				t.Fatal("progress ended before the broadcast was done")
			}
			if pr.Done {
				return pr
			}
		case <-timeout:
			t.Fatalf("the broadcast did not finish within %v", d)
		}
	}
}
