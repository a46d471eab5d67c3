package twilio_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/broadcast/latency"
	"smsbot/broadcast/twilio"
	"smsbot/broadcast/twilio/twiliotest"
	"smsbot/store"
)

// Setup of the network benchmarks (network_bench_test.go,
// network_memory_test.go; their checks are in network_check_test.go): a real engine over a fresh SQLite file, the
// real Provider (twilio-go over loopback HTTP) and twiliotest with
// latency and Twilio's account concurrency, on the real clock.

const (
	// netCap is the account's concurrency: the fake's limit, and the
	// Gate's that the engine and the Provider share.
	netCap = 100
	// netList is the benchmarks' list of contacts.
	netList = "attendees"
	// netBody is one GSM-7 segment, so texts and segments count alike.
	netBody = "Doors open at 6 pm in Hall B"
)

// mean150 is a call to Twilio across the internet: uniform over
// 100..200 ms, whose mean is 150 ms, so the account's ceiling is
// netCap / 0.15 s = 667 texts/s by Little's law. Uniform rather than
// constant so that calls do not finish in lockstep, as over a network.
var mean150 = latency.Uniform(100*time.Millisecond, 200*time.Millisecond)

// around returns the uniform latency within a third of mean either side.
func around(mean time.Duration) latency.Dist {
	return latency.Uniform(mean*2/3, mean*4/3)
}

// netOpts configures one network benchmark's environment.
type netOpts struct {
	rates    []float64 // one sender per rate, in segments per second
	contacts int       // new contacts on netList, no sender assigned yet
	latency  latency.Dist
	// apiURL is a fake running elsewhere (another process) with the
	// default credentials; empty: newNetEnv starts one in this process.
	apiURL string
}

// netEnv is one engine sending through the Twilio Provider to a fake.
type netEnv struct {
	fake  *twiliotest.Server // nil when the fake runs in another process
	st    *store.Store
	eng   *broadcast.Engine
	gate  *broadcast.Gate
	rates map[string]float64 // sender address → segments per second
}

// newNetEnv sets up an environment; none of it is timed. The fake allows
// netCap requests at once and the Gate, shared by the engine and the
// Provider as cmd/smsbot shares it, caps calls at netCap. The Provider
// keeps its default transport (a keep-alive pool sized to the Gate).
func newNetEnv(b *testing.B, o netOpts) *netEnv {
	b.Helper()
	ctx := context.Background()
	env := &netEnv{rates: map[string]float64{}}
	b.Cleanup(env.close)
	apiURL, sid, token := o.apiURL, twiliotest.DefaultAccountSID, twiliotest.DefaultAuthToken
	if apiURL == "" {
		env.fake = twiliotest.NewServer(twiliotest.Config{Latency: o.latency, Seed: 12, Concurrency: netCap})
		apiURL, sid, token = env.fake.URL(), env.fake.AccountSID(), env.fake.AuthToken()
	}
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(b.TempDir(), "smsbot.db")})
	if err != nil {
		b.Fatal(err)
	}
	env.st = st
	env.gate = broadcast.NewGate(broadcast.GateConfig{Limit: netCap, Name: "Twilio"})
	prov, err := twilio.New(twilio.Config{AccountSID: sid, AuthToken: token, APIURL: apiURL, Gate: env.gate})
	if err != nil {
		b.Fatal(err)
	}
	env.eng, err = broadcast.New(broadcast.Config{Store: st, Provider: prov, Gate: env.gate,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	if err := env.eng.Start(ctx); err != nil {
		b.Fatal(err)
	}
	for i, r := range o.rates {
		addr := fmt.Sprintf("+1206444%04d", i)
		if _, _, err := env.eng.AddSender(ctx, addr, r, "bench"); err != nil {
			b.Fatal(err)
		}
		env.rates[addr] = r
	}
	addNetContacts(b, st, o.contacts)
	return env
}

// close stops the engine, closes the database and the fake, and drops
// them. It may be called twice.
func (env *netEnv) close() {
	if env.eng != nil {
		env.eng.Close()
	}
	if env.st != nil {
		env.st.Close()
	}
	if env.fake != nil {
		env.fake.Close()
	}
	*env = netEnv{}
}

// addNetContacts creates netList with n new contacts in one transaction
// of three statements, as broadcast's benchmarks do (store.AddMember
// takes one transaction per contact).
func addNetContacts(b *testing.B, st *store.Store, n int) {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	tx, err := st.DB().DB.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO lists (name, created_at) VALUES (?, ?)`, netList, now)
	if err != nil {
		b.Fatal(err)
	}
	listID, err := res.LastInsertId()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
		INSERT INTO contacts (phone, created_at) SELECT printf('+1206%07d', i), ? FROM seq`, n, now); err != nil {
		b.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (list_id, contact_id, added_at)
		SELECT ?, id, ? FROM contacts`, listID, now); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// netRun is one broadcast to netList, from its preview to its end.
type netRun struct {
	preview broadcast.Preview
	start   time.Time     // the Approve call, on the real clock
	took    time.Duration // from Approve to the Done progress
}

// broadcast prepares netBody to netList, approves it and waits for the
// Done progress. It fails the benchmark unless every recipient was sent
// to within timeout.
func (env *netEnv) broadcast(b *testing.B, timeout time.Duration) netRun {
	b.Helper()
	ctx := context.Background()
	p, err := env.eng.Prepare(ctx, broadcast.Draft{List: netList, Body: netBody, RequestedBy: "alice"})
	if err != nil {
		b.Fatal(err)
	}
	ch, stop, err := env.eng.Subscribe(ctx, p.Broadcast.ID)
	if err != nil {
		b.Fatal(err)
	}
	defer stop()
	r := netRun{preview: p, start: time.Now()}
	if _, err := env.eng.Approve(ctx, p.Broadcast.ID, "bob"); err != nil {
		b.Fatal(err)
	}
	deadline := time.NewTimer(timeout) // a failsafe, not a pace
	defer deadline.Stop()
	var last broadcast.Progress
	for {
		select {
		case last = <-ch:
			if !last.Done {
				continue
			}
			r.took = time.Since(r.start)
			if n := p.Recipients(); last.Counts.Sent != n || last.Broadcast.Status != broadcast.StatusCompleted {
				b.Fatalf("final progress %s %+v, want %d sent and completed", last.Broadcast.Status, last.Counts, n)
			}
			return r
		case <-deadline.C:
			b.Fatalf("broadcast not done after %v; last progress %+v", timeout, last.Counts)
		}
	}
}
