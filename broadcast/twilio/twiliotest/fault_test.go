package twiliotest_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"smsbot/broadcast/twilio/twiliotest"
)

// always returns a Config.Fault that gives f to every request.
func always(f twiliotest.Fault) func(twiliotest.CreateRequest) twiliotest.Fault {
	return func(twiliotest.CreateRequest) twiliotest.Fault { return f }
}

// result is what a CreateMessage call running in a goroutine returned.
type result struct {
	msg *openapi.ApiV2010Message
	err error
}

// sendAsync runs b.send in a goroutine and returns where its result goes.
func (b *testBundle) sendAsync(api *openapi.ApiService) <-chan result {
	done := make(chan result, 1)
	go func() {
		m, err := api.CreateMessage(new(openapi.CreateMessageParams).SetFrom("+15550001111").SetTo("+15550002222").SetBody("held"))
		done <- result{m, err}
	}()
	return done
}

func TestFaultDrop(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{Fault: always(twiliotest.FaultDrop)})

	_, err := b.send("+15550001111", "+15550002222", "hi")
	if err == nil {
		t.Fatal("dropped request succeeded")
	}
	if restErrorOrNil(err) != nil {
		t.Errorf("error = %v, want a transport error, not a Twilio error", err)
	}
	m := b.next(t)
	if out := b.srv.Outbound(); len(out) != 1 || out[0].SID != m.SID || out[0].Status != "queued" {
		t.Errorf("Outbound() = %+v, want the dropped message stored", out)
	}
}

func TestFaultHoldRelease(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{Fault: always(twiliotest.FaultHold)})

	done := b.sendAsync(b.api)
	m := b.next(t) // stored, handler now holding
	select {
	case r := <-done:
		t.Fatalf("held request returned before Release: %+v", r)
	default:
	}
	b.srv.Release()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if *r.msg.Sid != m.SID {
		t.Errorf("released response sid = %s, want stored %s", *r.msg.Sid, m.SID)
	}
}

func TestFaultHoldContextEnds(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{Fault: always(twiliotest.FaultHold)})
	ctx, cancel := context.WithCancel(context.Background())
	api := b.client(b.srv.AccountSID(), b.srv.AuthToken(), b.transport(t, ctx))

	done := b.sendAsync(api)
	b.next(t)
	cancel() // the "process" dies mid-request
	if r := <-done; !errors.Is(r.err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", r.err)
	}
	if n := len(b.srv.Outbound()); n != 1 {
		t.Errorf("%d messages stored, want 1", n)
	}
	b.srv.Close() // returns although the handler may still be holding
}

func TestFaultHoldClose(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{Fault: always(twiliotest.FaultHold)})

	done := b.sendAsync(b.api)
	b.next(t)
	b.srv.Close()
	if r := <-done; r.err == nil || restErrorOrNil(r.err) != nil {
		t.Errorf("error = %v, want a transport error", r.err)
	}
}

func TestFaultHoldRawRequestStored(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{Fault: always(twiliotest.FaultHold)})
	ctx, cancel := context.WithCancel(context.Background())

	done := make(chan error, 1)
	go func() {
		res, err := b.do(t, ctx, http.MethodPost, "/2010-04-01/Accounts/"+b.srv.AccountSID()+"/Messages.json",
			url.Values{"MessagingServiceSid": {"MG1"}, "To": {"+15550002222"}, "Body": {"x"}})
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	m := b.next(t)
	cancel()
	if err := <-done; err == nil {
		t.Error("cancelled held request succeeded")
	}
	if got, ok := b.srv.Find(m.SID); !ok || got.From != twiliotest.DefaultServiceNumber {
		t.Errorf("Find(%s) = %+v, %v", m.SID, got, ok)
	}
}
