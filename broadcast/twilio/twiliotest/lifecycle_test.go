package twiliotest_test

import (
	"slices"
	"testing"
	"time"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"smsbot/broadcast/twilio/twiliotest"
)

// listSIDs lists p through twilio-go and returns the SIDs, failing the
// test on error.
func (b *testBundle) listSIDs(t *testing.T, p *openapi.ListMessageParams) []string {
	t.Helper()
	got, err := b.api.ListMessage(p)
	if err != nil {
		t.Fatal(err)
	}
	return sids(got)
}

func TestQueuedUntilSendDelay(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{SendDelay: 3 * time.Second})
	created := b.clock.Now()
	m, err := b.send(alice, bob, "hi")
	if err != nil {
		t.Fatal(err)
	}
	sid := *m.Sid
	dated := func() *openapi.ListMessageParams {
		return new(openapi.ListMessageParams).SetFrom(alice).SetTo(bob).SetDateSentAfter(created.Add(-time.Hour))
	}
	undated := func() *openapi.ListMessageParams { return new(openapi.ListMessageParams).SetFrom(alice).SetTo(bob) }

	b.clock.Set(created.Add(3*time.Second - time.Nanosecond))
	got, err := b.api.FetchMessage(sid, nil)
	if err != nil {
		t.Fatal(err)
	}
	if *got.Status != "queued" || got.DateSent != nil {
		t.Errorf("before SendDelay: status %q, date_sent %v; want queued, null", *got.Status, got.DateSent)
	}
	if ids := b.listSIDs(t, dated()); len(ids) != 0 {
		t.Errorf("DateSent filter listed the queued text: %v", ids)
	}
	if ids := b.listSIDs(t, undated()); !slices.Equal(ids, []string{sid}) {
		t.Errorf("list without DateSent = %v, want the queued text", ids)
	}

	b.clock.Set(created.Add(time.Minute))
	got, err = b.api.FetchMessage(sid, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantSent := created.Add(3 * time.Second).Format(time.RFC1123Z)
	if *got.Status != "sent" || got.DateSent == nil || *got.DateSent != wantSent || *got.DateUpdated != wantSent {
		t.Errorf("after SendDelay: status %q, date_sent %v, date_updated %q; want sent at %s", *got.Status, got.DateSent, *got.DateUpdated, wantSent)
	}
	if ids := b.listSIDs(t, dated()); !slices.Equal(ids, []string{sid}) {
		t.Errorf("DateSent filter = %v after the text was sent, want it", ids)
	}
	if out := b.srv.Outbound(); out[0].Status != "sent" || !out[0].DateSent.Equal(created.Add(3*time.Second)) {
		t.Errorf("Outbound() = %+v", out[0])
	}
}

func TestSendDelayDefaultsAndOptions(t *testing.T) {
	t.Parallel()
	t.Run("default is one second", func(t *testing.T) {
		b := setup(t, twiliotest.Config{})
		m, err := b.send(alice, bob, "hi")
		if err != nil {
			t.Fatal(err)
		}
		b.clock.Set(b.clock.Now().Add(twiliotest.DefaultSendDelay))
		if got, _ := b.srv.Find(*m.Sid); got.Status != "sent" {
			t.Errorf("status after DefaultSendDelay = %q, want sent", got.Status)
		}
	})
	t.Run("negative sends at once", func(t *testing.T) {
		b := setup(t, twiliotest.Config{SendDelay: -1})
		m, err := b.send(alice, bob, "hi")
		if err != nil {
			t.Fatal(err)
		}
		if *m.Status != "sent" || m.DateSent == nil || *m.DateSent != *m.DateCreated {
			t.Errorf("status %q, date_sent %v; want sent at creation", *m.Status, m.DateSent)
		}
	})
	t.Run("SetStatus ends the wait", func(t *testing.T) {
		b := setup(t, twiliotest.Config{SendDelay: time.Hour})
		m, err := b.send(alice, bob, "hi")
		if err != nil {
			t.Fatal(err)
		}
		at := b.clock.Now().Add(time.Second)
		b.clock.Set(at)
		if err := b.srv.SetStatus(*m.Sid, "delivered", 0); err != nil {
			t.Fatal(err)
		}
		b.clock.Set(at.Add(2 * time.Hour))
		got, _ := b.srv.Find(*m.Sid)
		if got.Status != "delivered" || !got.DateSent.Equal(at) {
			t.Errorf("after SetStatus: %q sent %v; want delivered sent %v", got.Status, got.DateSent, at)
		}
	})
}

func TestListDelay(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{ListDelay: 2 * time.Second})
	created := b.clock.Now()
	m, err := b.send(alice, bob, "hi")
	if err != nil {
		t.Fatal(err)
	}
	in := b.srv.AddInbound(bob, alice, "reply")
	all := func() *openapi.ListMessageParams { return new(openapi.ListMessageParams) }

	b.clock.Set(created.Add(2*time.Second - time.Millisecond))
	if ids := b.listSIDs(t, all()); len(ids) != 0 {
		t.Errorf("listed %v before ListDelay, want nothing", ids)
	}
	if _, err := b.api.FetchMessage(*m.Sid, nil); err != nil {
		t.Errorf("fetch by SID before ListDelay: %v", err)
	}
	b.clock.Set(created.Add(2 * time.Second))
	if ids := b.listSIDs(t, all()); !slices.Equal(ids, []string{in.SID, *m.Sid}) {
		t.Errorf("listed %v after ListDelay, want both, newest first", ids)
	}
}
