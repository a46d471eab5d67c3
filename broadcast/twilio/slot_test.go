package twilio_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/twilio"
	"smsbot/broadcast/twilio/twiliotest"
)

// throttled answers every request as Twilio does beyond the account's
// concurrent requests: 429 with error 20429, without Retry-After.
func throttled(t *testing.T) string {
	t.Helper()
	body, err := twiliotest.Fixture("error_20429.json")
	if err != nil {
		t.Fatal(err)
	}
	return gateway(t, http.StatusTooManyRequests, http.Header{"Content-Type": {"application/json"}}, string(body)).URL
}

func TestThrottledCallsCutTheGate(t *testing.T) {
	t.Parallel()
	from := broadcast.Sender{Address: "+12065550101"}
	calls := map[string]func(context.Context, *twilio.Provider) error{
		"Send": func(ctx context.Context, p *twilio.Provider) error {
			_, err := p.Send(ctx, broadcast.Outgoing{From: from, To: "+12065550001", Body: "hi"})
			return err
		},
		"Lookup": func(ctx context.Context, p *twilio.Provider) error {
			_, err := p.Lookup(ctx, from, "+12065550001", epoch)
			return err
		},
		"Received": func(ctx context.Context, p *twilio.Provider) error {
			_, err := p.Received(ctx, from.Address, epoch)
			return err
		},
		"Statuses": func(ctx context.Context, p *twilio.Provider) error {
			_, err := p.Statuses(ctx, from, epoch)
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			gate := broadcast.NewGate(broadcast.GateConfig{Limit: 8, Clock: clockwork.NewFakeClockAt(epoch)})
			p, err := twilio.New(twilio.Config{AccountSID: twiliotest.DefaultAccountSID, AuthToken: twiliotest.DefaultAuthToken,
				APIURL: throttled(t), Gate: gate})
			if err != nil {
				t.Fatal(err)
			}
			var se *broadcast.SendError
			if err := call(context.Background(), p); !errors.As(err, &se) || se.Class != broadcast.Retryable || !se.Throttled {
				t.Fatalf("%s = %v, want a retryable, throttled SendError", name, err)
			}
			if st := gate.State(); st.Cuts != 1 || st.Limit != 4 || st.InUse != 0 {
				t.Errorf("gate after a 20429: %+v, want one cut to 4 and no slot held", st)
			}
		})
	}
}

func TestCallsTakeASlot(t *testing.T) {
	t.Parallel()
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	from := broadcast.Sender{Address: "+12065550101"}
	for name, call := range map[string]func(context.Context, *twilio.Provider) error{
		"Send": func(ctx context.Context, p *twilio.Provider) error {
			_, err := p.Send(ctx, broadcast.Outgoing{From: from, To: "+12065550001", Body: "hi"})
			return err
		},
		"Lookup": func(ctx context.Context, p *twilio.Provider) error {
			_, err := p.Lookup(ctx, from, "+12065550001", time.Now())
			return err
		},
		"Received": func(ctx context.Context, p *twilio.Provider) error {
			_, err := p.Received(ctx, from.Address, time.Now())
			return err
		},
		"Statuses": func(ctx context.Context, p *twilio.Provider) error {
			_, err := p.Statuses(ctx, from, time.Now())
			return err
		},
	} {
		gate := broadcast.NewGate(broadcast.GateConfig{Limit: 1})
		p := newProvider(t, fake, twilio.Config{Gate: gate})
		if err := call(context.Background(), p); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if st := gate.State(); st.Peak != 1 || st.InUse != 0 {
			t.Errorf("%s: gate %+v, want one slot taken and given back", name, st)
		}
	}
}

func TestBoundContextTakesNoSecondSlot(t *testing.T) {
	t.Parallel()
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	gate := broadcast.NewGate(broadcast.GateConfig{Limit: 1})
	p := newProvider(t, fake, twilio.Config{Gate: gate})
	slot, err := gate.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer slot.Release(nil)
	// The engine's way: it holds the only slot around Send and Lookup.
	ctx := slot.Bind(context.Background())
	from := broadcast.Sender{Address: "+12065550101"}
	done := make(chan error, 1)
	go func() {
		if _, err := p.Send(ctx, broadcast.Outgoing{From: from, To: "+12065550001", Body: "hi"}); err != nil {
			done <- err
			return
		}
		_, err := p.Lookup(ctx, from, "+12065550001", time.Now().Add(-time.Minute))
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitFor):
		t.Fatalf("Send and Lookup with a bound context still waiting (gate %+v): they took a second slot", gate.State())
	}
	if st := gate.State(); st.InUse != 1 || st.Peak != 1 {
		t.Errorf("gate %+v, want only the bound slot", st)
	}
}

func TestSendGivingUpOnASlotIsRetryable(t *testing.T) {
	t.Parallel()
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	gate := broadcast.NewGate(broadcast.GateConfig{Limit: 1})
	p := newProvider(t, fake, twilio.Config{Gate: gate})
	slot, err := gate.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer slot.Release(nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = p.Send(ctx, broadcast.Outgoing{From: broadcast.Sender{Address: "+12065550101"}, To: "+12065550001", Body: "hi"})
	var se *broadcast.SendError
	if !errors.As(err, &se) || se.Class != broadcast.Retryable || !errors.Is(err, context.Canceled) {
		t.Errorf("Send = %v, want a retryable SendError wrapping context.Canceled", err)
	}
	if n := fake.Requests(); n != 0 {
		t.Errorf("Twilio got %d create requests, want none", n)
	}
}
