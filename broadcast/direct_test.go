package broadcast_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"smsbot/broadcast"
)

// A staff reply whose answer was lost is looked up before anything is
// sent again: found, it is sent once; not found, it is sent again, once.
func TestSendDirectReconcilesAmbiguousAnswers(t *testing.T) {
	lost := &broadcast.SendError{Class: broadcast.Ambiguous, Message: "no answer from Twilio", Err: errors.New("EOF")}
	for _, tc := range []struct {
		name     string
		kept     bool // the carrier had the text although the answer was lost
		attempts int
	}{
		{"carrier has it", true, 1},
		{"carrier does not have it", false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			b := setup(t, testOpts{fault: func(m broadcast.Outgoing, attempt int) (error, bool) {
				if attempt == 1 {
					return lost, tc.kept
				}
				return nil, false
			}})
			b.addSenders(t, 100, "+12065550001")
			b.addContacts(t, "crew", 1, 0)
			d, err := b.engine.SendDirect(ctx, "+12065550000", "See you at the gate", "alice")
			if err != nil {
				t.Fatalf("SendDirect: %v", err)
			}
			sent := b.sim.Sent()
			if len(sent) != 1 || d.Reply.Status != broadcast.MsgSent || d.Reply.ProviderSID != sent[0].SID {
				t.Fatalf("reply %+v; carrier has %+v", d.Reply, sent)
			}
		})
	}
}

// A reply that cannot be looked up is reported as unknown, not resent.
func TestSendDirectUnknownWhenLookupFails(t *testing.T) {
	ctx := context.Background()
	b := setup(t, testOpts{
		fault: func(broadcast.Outgoing, int) (error, bool) {
			return &broadcast.SendError{Class: broadcast.Ambiguous, Message: "no answer"}, true
		},
		engine: func(c *broadcast.Config) { c.Provider = failingLookup{c.Provider} },
	})
	b.addSenders(t, 100, "+12065550001")
	b.addContacts(t, "crew", 1, 0)
	d, err := b.engine.SendDirect(ctx, "+12065550000", "See you", "alice")
	if broadcast.ErrorCode(err) != broadcast.EINVALID || d.Reply.Status != broadcast.MsgSending {
		t.Fatalf("SendDirect = %+v, %v; want unknown outcome", d.Reply, err)
	}
	if n := len(b.sim.Sent()); n != 1 {
		t.Fatalf("carrier has %d texts, want 1", n)
	}
}

type failingLookup struct{ broadcast.Provider }

func (failingLookup) Lookup(context.Context, broadcast.Sender, string, time.Time) ([]broadcast.Sent, error) {
	return nil, errors.New("lookup: 503")
}
