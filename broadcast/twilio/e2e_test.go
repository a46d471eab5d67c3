package twilio_test

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/broadcast/latency"
	"smsbot/broadcast/twilio"
	"smsbot/broadcast/twilio/twiliotest"
	"smsbot/store"
)

type tlog struct{ t testing.TB }

func (w tlog) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// chaos faults the first three attempts of a text by a hash of recipient
// and attempt: about 10% answered 500, and 10% accepted and then cut off
// before the answer. The 429s come from the account's concurrency limit
// (faultyAccount), as Twilio's do: a scripted Fault429 carries
// Retry-After, which holds the whole account for a second each time.
func chaos(req twiliotest.CreateRequest) twiliotest.Fault {
	if req.Attempt > 3 {
		return twiliotest.FaultNone
	}
	h := fnv.New32a()
	fmt.Fprintf(h, "%s#%d", req.To, req.Attempt)
	switch h.Sum32() % 10 {
	case 2:
		return twiliotest.Fault500
	case 3:
		return twiliotest.FaultDrop
	}
	return twiliotest.FaultNone
}

// faultyAccount is the fake of TestBroadcastThroughTwilioWithFaults:
// chaos, 20 ms a call, and 3 calls at once for the account, below what
// the senders' rates need (220/s × 20 ms), so Twilio refuses calls with
// 20429 until the Gate's cap comes down.
var faultyAccount = twiliotest.Config{Fault: chaos, Latency: latency.Constant(20 * time.Millisecond), Concurrency: 3}

// e2e is one engine on a real SQLite store, sending through twilio-go to a
// fake.
type e2e struct {
	fake *twiliotest.Server
	st   *store.Store
	eng  *broadcast.Engine
}

// setupE2E starts a fake with fakeCfg and an engine with engineCfg (Store,
// Provider and Logger filled in, and a Gate when it has none, which the
// provider shares, as in smsbot) sending through it, with the given
// senders (address to segments/s).
func setupE2E(t *testing.T, fakeCfg twiliotest.Config, engineCfg broadcast.Config, rates map[string]float64) *e2e {
	t.Helper()
	ctx := context.Background()
	fake := twiliotest.NewServer(fakeCfg)
	t.Cleanup(fake.Close)
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "smsbot.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if engineCfg.Gate == nil {
		engineCfg.Gate = broadcast.NewGate(broadcast.GateConfig{})
	}
	prov, err := twilio.New(twilio.Config{AccountSID: fake.AccountSID(), AuthToken: fake.AuthToken(), APIURL: fake.URL(), Gate: engineCfg.Gate})
	if err != nil {
		t.Fatal(err)
	}
	engineCfg.Store, engineCfg.Provider = st, prov
	engineCfg.Logger = slog.New(slog.NewTextHandler(tlog{t}, nil))
	eng, err := broadcast.New(engineCfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	for addr, r := range rates {
		if _, _, err := eng.AddSender(ctx, addr, r, "test"); err != nil {
			t.Fatal(err)
		}
	}
	return &e2e{fake: fake, st: st, eng: eng}
}

// run sends body to n new contacts of one list, approves it, and
// returns its final progress. It fails the test if the broadcast has not
// ended within timeout.
func (e *e2e) run(t *testing.T, n int, body string, timeout time.Duration) broadcast.Progress {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		if _, err := e.st.AddMember(ctx, "hackers", fmt.Sprintf("+1425555%04d", i), "", "test"); err != nil {
			t.Fatal(err)
		}
	}
	p, err := e.eng.Prepare(ctx, broadcast.Draft{List: "hackers", Body: body, RequestedBy: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	ch, stop, err := e.eng.Subscribe(ctx, p.Broadcast.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if _, err := e.eng.Approve(ctx, p.Broadcast.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	deadline := time.NewTimer(timeout) // a failsafe, not a pace
	defer deadline.Stop()
	var last broadcast.Progress
	for {
		select {
		case pr, ok := <-ch:
			if !ok {
				t.Fatalf("progress closed before the end; last %+v", last.Counts)
			}
			if last = pr; pr.Done {
				return pr
			}
		case <-deadline.C:
			t.Fatalf("broadcast not done after %v; last progress %+v; Twilio has %d texts from %d requests",
				timeout, last.Counts, len(e.fake.Outbound()), e.fake.Requests())
		}
	}
}

// onePerRecipient fails the test unless each of the n recipients got
// exactly one text, and returns the texts by recipient.
func (e *e2e) onePerRecipient(t *testing.T, n int) map[string][]twiliotest.Message {
	t.Helper()
	byTo := map[string][]twiliotest.Message{}
	for _, m := range e.fake.Outbound() {
		byTo[m.To] = append(byTo[m.To], m)
	}
	if len(byTo) != n {
		t.Errorf("fake received texts for %d recipients, want %d", len(byTo), n)
	}
	for to, ms := range byTo {
		if len(ms) != 1 {
			t.Errorf("%s received %d texts", to, len(ms))
		}
	}
	return byTo
}

func TestBroadcastThroughTwilioWithFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("sends for several seconds at real rates")
	}
	rates := map[string]float64{"+12065550101": 40, "+12065550102": 40, "+18885550103": 60, "MG0123456789abcdef0123456789abcdef": 80}
	gate := broadcast.NewGate(broadcast.GateConfig{})
	e := setupE2E(t, faultyAccount,
		broadcast.Config{BackoffBase: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond, ReconcileDelay: 10 * time.Millisecond, Gate: gate}, rates)
	const n = 400
	final := e.run(t, n, "Dinner is served in Hall B", 2*time.Minute)
	if final.Counts.Sent != n || final.Counts.Failed != 0 {
		t.Fatalf("final counts = %+v", final.Counts)
	}

	// Exactly one text per recipient, from the sender the store assigned.
	byTo := e.onePerRecipient(t, n)
	senders, err := e.eng.Senders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	assertSticky(t, e.st, byTo, senders)
	if e.fake.Requests() <= n {
		t.Errorf("only %d requests: the faults did not fire", e.fake.Requests())
	}
	if st := gate.State(); e.fake.Refused() == 0 || st.Cuts == 0 {
		t.Errorf("Twilio refused %d calls for the account's limit, the gate was cut %d times; want both", e.fake.Refused(), st.Cuts)
	}

	// No sender went faster than its rate: over any window of arrivals,
	// segments ≤ rate × window + a small burst (the pacer's tolerance
	// plus requests that travel concurrently).
	arrivals := map[string][]time.Time{}
	for _, m := range e.fake.Outbound() {
		key := m.From
		if m.MessagingServiceSID != "" {
			key = m.MessagingServiceSID
		}
		arrivals[key] = append(arrivals[key], m.DateCreated)
	}
	for addr, times := range arrivals {
		sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
		const burst = 4
		rate := rates[addr]
		for i := range times {
			for j := i + burst; j < len(times); j++ {
				window := times[j].Sub(times[i]).Seconds()
				if count := float64(j - i + 1); count > rate*window+burst {
					t.Fatalf("sender %s sent %v texts in %.3fs; rate is %v/s", addr, count, window, rate)
				}
			}
		}
	}
}

func assertSticky(t *testing.T, st *store.Store, byTo map[string][]twiliotest.Message, senders []broadcast.Sender) {
	t.Helper()
	addr := map[int64]string{}
	for _, s := range senders {
		addr[s.ID] = s.Address
	}
	var rows []struct {
		Phone    string `bun:"phone"`
		SenderID int64  `bun:"sender_id"`
	}
	if err := st.DB().NewRaw(`SELECT c.phone, a.sender_id FROM assignments a JOIN contacts c ON c.id = a.contact_id`).Scan(context.Background(), &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		m := byTo[r.Phone][0]
		got := m.From
		if m.MessagingServiceSID != "" {
			got = m.MessagingServiceSID
		}
		if got != addr[r.SenderID] {
			t.Errorf("%s texted from %s, assigned %s", r.Phone, got, addr[r.SenderID])
		}
	}
}
