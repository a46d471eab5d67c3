package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"smsbot/bot"
	"smsbot/broadcast"
	"smsbot/store"
)

// gatedCarrier holds every send until the gate opens, so a test can act
// while texts are in flight.
type gatedCarrier struct {
	started chan struct{}
	gate    chan struct{}
	n       atomic.Int64
}

func (g *gatedCarrier) Send(ctx context.Context, m broadcast.Outgoing) (string, error) {
	g.started <- struct{}{}
	<-g.gate
	return fmt.Sprintf("SM%032d", g.n.Add(1)), nil
}

func (g *gatedCarrier) Lookup(context.Context, broadcast.Sender, string, time.Time) ([]broadcast.Sent, error) {
	return nil, nil
}

// Cancelling with texts in flight shows "cancelling" until they answer,
// then one summary that adds up and counts them.
func TestCancelShowsOneSummaryAfterTextsInFlight(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "smsbot.db")})
	if err != nil {
		t.Fatal(err)
	}
	carrier := &gatedCarrier{started: make(chan struct{}, 100), gate: make(chan struct{})}
	eng, err := broadcast.New(broadcast.Config{Store: st, Provider: carrier, InFlight: 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	r := bot.New(bot.Config{Engine: eng, Directory: st, Stats: st, ProgressEvery: time.Hour})
	t.Cleanup(func() {
		r.Close()
		eng.Close()
		st.Close()
	})
	b := &routerBundle{router: r, store: st, engine: eng, conv: &recorder{}}
	b.do("console", "numbers add +12065550101 1000")
	for i := range 20 {
		b.do("console", fmt.Sprintf("add crew +120655500%02d", i))
	}
	b.do("console", "send crew hello")
	conv := &updates{n: map[bot.Ref][]bot.Message{}}
	r.Click(ctx, bot.Click{User: "console", Action: "approve:1", Message: "preview"}, conv)
	for range 4 {
		select {
		case <-carrier.started:
		case <-time.After(10 * time.Second):
			t.Fatal("the texts never went out")
		}
	}
	r.Click(ctx, bot.Click{User: "console", Action: "cancel:1", Message: "preview"}, conv)
	close(carrier.gate)
	if err := eng.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	r.Close()
	var summaries []string
	for _, m := range conv.n["preview"] {
		if strings.HasPrefix(m.Text, "Sent ") {
			summaries = append(summaries, m.Title+": "+m.Text)
		}
	}
	want := "Broadcast #1 to crew: cancelled: Sent 4, failed 0, skipped 16 of 20"
	if len(summaries) != 1 || !strings.HasPrefix(summaries[0], want) {
		t.Fatalf("summaries %q, want one starting %q", summaries, want)
	}
}
