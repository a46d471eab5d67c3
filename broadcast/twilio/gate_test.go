package twilio_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/broadcast/latency"
	"smsbot/broadcast/twilio"
	"smsbot/broadcast/twilio/twiliotest"
)

// waitFor bounds every wait of these tests.
const waitFor = 10 * time.Second

// held makes the fake's latency wait until the test lets each request on
// (proceed), and tells it of each request that waits (entered): the
// requests the Gate admits pile up at the fake, where any beyond its cap
// would show (Peak), or be refused (Refused).
type held struct {
	entered chan struct{}
	proceed chan struct{}
}

func newHeld() *held { return &held{entered: make(chan struct{}), proceed: make(chan struct{})} }

// sleep is twiliotest.Config.Sleep.
func (h *held) sleep(ctx context.Context, _ time.Duration) error {
	select {
	case h.entered <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-h.proceed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// mixedCalls returns calls of every kind: sends (one request each),
// lookups (two), polls of texts received and of statuses (one page each:
// nothing matches).
func mixedCalls(ctx context.Context, p *twilio.Provider, n int) []func() error {
	from, other := broadcast.Sender{Address: "+12065550101"}, broadcast.Sender{Address: "+12065550199"}
	var calls []func() error
	for i := range n {
		switch i % 4 {
		case 0, 1:
			calls = append(calls, func() error {
				_, err := p.Send(ctx, broadcast.Outgoing{From: from, To: "+12065550001", Body: string(rune('a' + i))})
				return err
			})
		case 2:
			calls = append(calls, func() error { _, err := p.Lookup(ctx, other, "+12065550001", time.Now()); return err })
		case 3:
			calls = append(calls, func() error {
				_, err := p.Received(ctx, other.Address, time.Now())
				if err == nil {
					_, err = p.Statuses(ctx, other, time.Now())
				}
				return err
			})
		}
	}
	return calls
}

func TestGateKeepsWithinTheAccount(t *testing.T) {
	t.Parallel()
	const limit = 4
	h := newHeld()
	fake := twiliotest.NewServer(twiliotest.Config{Concurrency: limit, Latency: latency.Constant(time.Millisecond), Sleep: h.sleep})
	t.Cleanup(fake.Close)
	gate := broadcast.NewGate(broadcast.GateConfig{Limit: limit})
	p := newProvider(t, fake, twilio.Config{Gate: gate})
	calls := mixedCalls(context.Background(), p, 24)
	errs := make(chan error, len(calls))
	for _, call := range calls {
		go func() { errs <- call() }()
	}
	// Each caller has at most one request at a time. Let one request on
	// whenever as many wait as can: the cap's worth, or every caller still
	// running.
	timeout := time.After(waitFor)
	waiting, running := 0, len(calls)
	for running > 0 {
		select {
		case <-h.entered:
			waiting++
		case err := <-errs:
			running--
			if err != nil {
				t.Error(err)
			}
		case <-timeout:
			t.Fatalf("%d callers still running, %d requests waiting (gate %+v)", running, waiting, gate.State())
		}
		if waiting > 0 && waiting >= min(limit, running) {
			h.proceed <- struct{}{}
			waiting--
		}
	}
	if peak, refused := fake.Peak(), fake.Refused(); peak != limit || refused != 0 {
		t.Errorf("Twilio served at most %d requests at once and refused %d; want the gate's %d and none", peak, refused, limit)
	}
	if st := gate.State(); st.InUse != 0 || st.Peak != limit || st.Cuts != 0 {
		t.Errorf("gate after the calls: %+v, want every slot back, a peak of %d and no cut", st, limit)
	}
}

func TestAccountLimitCutsTheGate(t *testing.T) {
	t.Parallel()
	const account = 2
	// The fake holds what it serves until release: with a gate of 8,
	// the third request at once is refused with 20429.
	release := make(chan struct{})
	fake := twiliotest.NewServer(twiliotest.Config{Concurrency: account, Latency: latency.Constant(time.Millisecond),
		Sleep: func(ctx context.Context, _ time.Duration) error {
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}})
	t.Cleanup(fake.Close)
	gate := broadcast.NewGate(broadcast.GateConfig{Limit: 8})
	p := newProvider(t, fake, twilio.Config{Gate: gate})
	calls := mixedCalls(context.Background(), p, 16)
	errs := make(chan error, len(calls))
	for _, call := range calls {
		go func() { errs <- call() }()
	}
	timeout := time.After(waitFor)
	refusals := 0
	for i := range calls {
		select {
		case err := <-errs:
			var se *broadcast.SendError
			switch {
			case err == nil:
			case errors.As(err, &se) && se.Class == broadcast.Retryable && se.Throttled:
				refusals++
			default:
				t.Errorf("error %v, want a retryable, throttled one", err)
			}
		case <-timeout:
			t.Fatalf("%d of %d calls ended (gate %+v)", i, len(calls), gate.State())
		}
		if i == 0 {
			close(release) // a refusal came back: the rest may go
		}
	}
	if refusals == 0 || refusals != fake.Refused() || fake.Peak() > account {
		t.Errorf("%d calls refused for Twilio's %d refusals, peak %d; want some, one for one, at most %d", refusals, fake.Refused(), fake.Peak(), account)
	}
	if st := gate.State(); st.Cuts == 0 || st.Limit >= 8 || st.InUse != 0 {
		t.Errorf("gate after 20429s: %+v, want its cap cut and every slot back", st)
	}
}
