package stats_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"smsbot/lease"
	"smsbot/stats"
	"smsbot/store"
)

// scrapeLeases scrapes m and returns the lease metrics: held by kind
// ("held:<kind>"), and the others by name.
func scrapeLeases(t *testing.T, m *stats.Metrics) map[string]float64 {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, kind := range stats.LeaseKinds {
		got["held:"+kind] = -1 // missing
	}
	if f := families["smsbot_leases_held"]; f != nil {
		for _, mt := range f.Metric {
			for _, l := range mt.Label {
				if l.GetName() == "kind" {
					got["held:"+l.GetValue()] = mt.GetGauge().GetValue()
				}
			}
		}
	}
	for _, name := range []string{"smsbot_lease_acquisitions_total", "smsbot_leases_lost_total"} {
		if f := families[name]; f != nil && len(f.Metric) == 1 {
			got[name] = f.Metric[0].GetCounter().GetValue()
		}
	}
	if f := families["smsbot_lease_renewing"]; f != nil && len(f.Metric) == 1 {
		got["smsbot_lease_renewing"] = f.Metric[0].GetGauge().GetValue()
	}
	return got
}

func checkLeaseMetrics(t *testing.T, got, want map[string]float64) {
	t.Helper()
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, w)
		}
	}
}

// TestLeaseMetrics reads a real Keeper over a SQLite store: its leases by
// kind, then, once the store fails, renewals failing and every lease lost.
func TestLeaseMetrics(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "smsbot.db")})
	if err != nil {
		t.Fatal(err)
	}
	clock := clockwork.NewFakeClockAt(t0)
	k, err := lease.New(lease.Config{Store: st, Owner: "host/1/abcd", Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	fx, _ := fixture(t) // the metrics' database, which stays up
	m := stats.NewMetrics(fx)
	m.WatchLeases(k)
	var first *lease.Lease
	for _, name := range []string{"sender:1", "sender:2", "progress:7", "replica:host/1/abcd"} {
		l, err := k.TryAcquire(ctx, name)
		if err != nil || l == nil {
			t.Fatalf("acquire %s: %v %v", name, l, err)
		}
		first = l
	}
	checkLeaseMetrics(t, scrapeLeases(t, m), map[string]float64{
		"held:sender": 2, "held:progress": 1, "held:replica": 1, "held:poller": 0, "held:discord": 0,
		"smsbot_lease_acquisitions_total": 4, "smsbot_leases_lost_total": 0, "smsbot_lease_renewing": 1,
	})

	// The database goes away: the next renewal fails, and the leases'
	// trust runs out.
	runDone := make(chan struct{})
	go func() {
		defer close(runDone)
		k.Run(ctx)
	}()
	if err := clock.BlockUntilContext(ctx, 1); err != nil { // Run's timer
		t.Fatal(err)
	}
	st.Close()
	clock.Advance(k.TTL())
	select {
	case <-first.Lost():
	case <-ctx.Done():
		t.Fatal("the lease was not lost")
	}
	checkLeaseMetrics(t, scrapeLeases(t, m), map[string]float64{
		"held:sender": 0, "held:progress": 0, "held:replica": 0, "held:poller": 0, "held:discord": 0,
		"smsbot_lease_acquisitions_total": 4, "smsbot_leases_lost_total": 4, "smsbot_lease_renewing": 0,
	})
	cancel()
	<-runDone
}

func TestLeaseKind(t *testing.T) {
	for name, want := range map[string]string{
		"sender:12": "sender", "poller": "poller", "discord": "discord",
		"progress:3": "progress", "replica:host/12/ab:cd": "replica",
	} {
		if got := stats.LeaseKind(name); got != want {
			t.Errorf("LeaseKind(%q) = %q, want %q", name, got, want)
		}
	}
}
