package broadcast_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/importer"
)

// importContacts adds n contacts to list in one import, as a CSV upload
// does.
func importContacts(t testing.TB, b *testBundle, list string, n int) {
	t.Helper()
	rows := make([]importer.Row, n)
	for i := range rows {
		rows[i] = importer.Row{Line: i + 2, Phone: fmt.Sprintf("+1206%07d", 5550000+i)}
	}
	err := b.store.ImportContacts(context.Background(), list, "test", func(w importer.Writer) error {
		_, err := w.Write(context.Background(), rows)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPreviewETA: the preview's ETA is when the broadcast can end, from
// each sender's share of the recipients (new contacts go by rate), its
// rate, and the account's cap on calls in flight at the call latency.
func TestPreviewETA(t *testing.T) {
	tests := []struct {
		name     string
		rates    []float64
		contacts int
		cap      int
		latency  time.Duration
		want     time.Duration
	}{
		// 20,000 segments over 104 segments/s: 192 s, not the 1h50m of
		// an even split.
		{"1, 3 and 100 per second", []float64{1, 3, 100}, 20_000, 100, 150 * time.Millisecond, 192 * time.Second},
		// 10 × 200/s allow 2,000/s, but 100 calls of 150 ms allow 667/s.
		{"held to the account's cap", []float64{200, 200, 200, 200, 200, 200, 200, 200, 200, 200}, 10_000, 100,
			150 * time.Millisecond, 15 * time.Second},
		{"within the cap, at the rates", []float64{50, 50}, 1_000, 100, 150 * time.Millisecond, 10 * time.Second},
		{"a smaller cap", []float64{100}, 1_000, 5, 100 * time.Millisecond, 20 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t, testOpts{clock: clockwork.NewFakeClock(), engine: func(c *broadcast.Config) {
				c.Latency = tt.latency
				c.Gate = broadcast.NewGate(broadcast.GateConfig{Limit: tt.cap, Clock: c.Clock})
			}})
			for i, r := range tt.rates {
				b.addSenders(t, r, fmt.Sprintf("+1206555%04d", 9000+i))
			}
			importContacts(t, b, "crew", tt.contacts)
			p, err := b.engine.Preview(context.Background(), broadcast.Draft{List: "crew", Body: "Dinner is served"})
			if err != nil {
				t.Fatal(err)
			}
			if d := p.ETA - tt.want; d < -tt.want/50 || d > tt.want/50 {
				t.Fatalf("ETA %v, want %v within 2%% (shares %+v)", p.ETA, tt.want, p.Senders)
			}
		})
	}
}
