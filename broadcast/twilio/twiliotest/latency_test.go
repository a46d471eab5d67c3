package twiliotest_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"smsbot/broadcast/latency"
	"smsbot/broadcast/twilio/twiliotest"
)

// sleeper is a Config.Sleep that takes no time: it records each latency,
// tells entered, and when gated blocks until open or its context ends.
type sleeper struct {
	entered chan time.Duration

	mu    sync.Mutex
	slept []time.Duration
	gate  chan struct{} // nil: return at once
}

// newSleeper returns a sleeper; gated ones block until open.
func newSleeper(gated bool) *sleeper {
	s := &sleeper{entered: make(chan time.Duration, 1024)}
	if gated {
		s.gate = make(chan struct{})
	}
	return s
}

// Sleep implements Config.Sleep.
func (s *sleeper) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.slept = append(s.slept, d)
	gate := s.gate
	s.mu.Unlock()
	s.entered <- d
	if gate == nil {
		return nil
	}
	select {
	case <-gate:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// open lets every waiting and future Sleep return.
func (s *sleeper) open() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.gate)
}

// durations returns the latencies slept so far, in order.
func (s *sleeper) durations() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.slept)
}

// recv receives from ch, failing the test if nothing comes within a
// deadline that only a broken fake reaches.
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("nothing received within 10s")
		panic("unreachable")
	}
}

func TestLatencyOnEveryAuthenticatedAnswer(t *testing.T) {
	t.Parallel()
	dist := latency.LogNormal(150*time.Millisecond, 400*time.Millisecond)
	sl := newSleeper(false)
	b := setup(t, twiliotest.Config{Latency: dist, Seed: 7, Sleep: sl.Sleep})

	m, err := b.send(alice, bob, "hi") // 201
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.api.ListMessage(nil); err != nil { // 200
		t.Fatal(err)
	}
	if _, err := b.api.FetchMessage(*m.Sid, nil); err != nil { // 200
		t.Fatal(err)
	}
	if _, err := b.api.FetchMessage("SM00000000000000000000000000000000", nil); restError(t, err).Code != 20404 {
		t.Errorf("fetch of a missing SID: %v", err)
	}
	if _, err := b.send(alice, bob, ""); restError(t, err).Code != 21602 { // 400 after auth
		t.Errorf("create without a body: %v", err)
	}
	const authenticated = 5
	bad := b.client(b.srv.AccountSID(), "wrongtoken", b.rt)
	if _, err := bad.ListMessage(nil); restError(t, err).Code != 20003 {
		t.Errorf("list with a wrong token: %v", err)
	}

	r := rand.New(rand.NewPCG(7, 7))
	var want []time.Duration
	for range authenticated {
		want = append(want, dist.Sample(r))
	}
	if got := sl.durations(); !slices.Equal(got, want) {
		t.Errorf("slept %v,\nwant %v (Config.Seed's samples, one per authenticated request)", got, want)
	}
}

func TestLatencyStoresTheMessageBeforeTheWait(t *testing.T) {
	t.Parallel()
	sl := newSleeper(true)
	b := setup(t, twiliotest.Config{Latency: latency.Constant(150 * time.Millisecond), Sleep: sl.Sleep})

	done := b.sendAsync(b.api)
	if d := recv(t, sl.entered); d != 150*time.Millisecond {
		t.Errorf("waiting %v, want 150ms", d)
	}
	m := b.next(t) // stored while the answer waits
	if n := b.srv.InFlight(); n != 1 {
		t.Errorf("InFlight() = %d during the wait, want 1", n)
	}
	select {
	case r := <-done:
		t.Fatalf("answered before the latency: %+v", r)
	default:
	}
	sl.open()
	r := recv(t, done)
	if r.err != nil || *r.msg.Sid != m.SID {
		t.Fatalf("answer %+v, %v; want the stored %s", r.msg, r.err, m.SID)
	}
	if n := b.srv.InFlight(); n != 0 {
		t.Errorf("InFlight() = %d after the answer, want 0", n)
	}
}

// closeWithin closes srv, failing the test if Close does not return
// within a deadline (a wait it failed to end).
func closeWithin(t *testing.T, srv *twiliotest.Server) {
	t.Helper()
	closed := make(chan struct{})
	go func() {
		srv.Close()
		close(closed)
	}()
	recv(t, closed)
}

func TestLatencyWaitEndsWithTheRequestContext(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{Latency: latency.Constant(time.Hour)}) // the real timer
	ctx, cancel := context.WithCancel(context.Background())
	api := b.client(b.srv.AccountSID(), b.srv.AuthToken(), b.transport(t, ctx))

	done := b.sendAsync(api)
	b.next(t)
	cancel()
	if r := recv(t, done); !errors.Is(r.err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", r.err)
	}
	closeWithin(t, b.srv) // waits for the handler, which must have ended
	if n, out := b.srv.InFlight(), len(b.srv.Outbound()); n != 0 || out != 1 {
		t.Errorf("InFlight %d, stored %d; want 0 and 1 (stored before the wait)", n, out)
	}
}

func TestLatencyWaitEndsAtClose(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{Latency: latency.Constant(time.Hour)})

	done := b.sendAsync(b.api)
	b.next(t)
	closeWithin(t, b.srv)
	if r := recv(t, done); r.err == nil || restErrorOrNil(r.err) != nil {
		t.Errorf("error = %v, want a transport error (closed without an answer)", r.err)
	}
}

func TestSetLatency(t *testing.T) {
	t.Parallel()
	sl := newSleeper(false)
	b := setup(t, twiliotest.Config{Latency: latency.Constant(50 * time.Millisecond), Sleep: sl.Sleep})

	send := func() {
		t.Helper()
		if _, err := b.send(alice, bob, "hi"); err != nil {
			t.Fatal(err)
		}
	}
	send()
	b.srv.SetLatency(latency.Constant(400 * time.Millisecond))
	send()
	b.srv.SetLatency(latency.Dist{}) // answers at once: Sleep is not called
	send()
	want := []time.Duration{50 * time.Millisecond, 400 * time.Millisecond}
	if got := sl.durations(); !slices.Equal(got, want) {
		t.Errorf("slept %v, want %v", got, want)
	}
}

func TestLatencyDelaysAFaultAndAGatewayPage(t *testing.T) {
	t.Parallel()
	sl := newSleeper(false)
	b := setup(t, twiliotest.Config{
		Latency: latency.Constant(time.Second),
		Sleep:   sl.Sleep,
		Fault:   always(twiliotest.Fault502AfterCreate),
	})
	res, err := b.do(t, context.Background(), http.MethodPost, "/2010-04-01/Accounts/"+b.srv.AccountSID()+"/Messages.json",
		url.Values{"From": {alice}, "To": {bob}, "Body": {"hi"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadGateway || len(sl.durations()) != 1 {
		t.Errorf("status %d after sleeping %v; want 502 after 1s", res.StatusCode, sl.durations())
	}
}
