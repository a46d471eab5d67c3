package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot"
	"smsbot/broadcast"
	"smsbot/broadcast/sim"
	"smsbot/inbound"
	"smsbot/store"
)

// attachRecorder is a recorder that also takes files.
type attachRecorder struct {
	recorder
	fmu   sync.Mutex
	files map[string][]byte
}

func (a *attachRecorder) Attach(_ context.Context, name string, data []byte, _ string) (string, error) {
	a.fmu.Lock()
	defer a.fmu.Unlock()
	a.files[name] = data
	return "attached " + name, nil
}

// pollStatsBundle is a router with polls on a real SQLite store, the sim
// carrier, and one fake clock for the store, the engine, the router and
// the inbound service, in Los Angeles time.
type pollStatsBundle struct {
	router *bot.Router
	engine *broadcast.Engine
	in     *inbound.Service
	clock  *clockwork.FakeClock
	conv   *attachRecorder
	sids   int
}

var pollStatsStart = time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC) // 10:00 in Los Angeles

func setupPollStats(t *testing.T) *pollStatsBundle {
	t.Helper()
	ctx := context.Background()
	clock := clockwork.NewFakeClockAt(pollStatsStart)
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "smsbot.db"), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := broadcast.New(broadcast.Config{Store: st, Provider: sim.New(sim.Config{}), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	in, err := inbound.New(inbound.Config{Store: st, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	r := bot.New(bot.Config{Engine: eng, Directory: st, Stats: st, Polls: st, Clock: clock, Location: la, ProgressEvery: time.Hour})
	t.Cleanup(func() {
		r.Close()
		eng.Close()
		st.Close()
	})
	b := &pollStatsBundle{router: r, engine: eng, in: in, clock: clock, conv: &attachRecorder{files: map[string][]byte{}}}
	// Two numbers at 100/s, two guests each: every text goes at once,
	// the pacer lets two through per instant, and the fake clock need
	// not move.
	b.do("console", "numbers add +12065550100 100")
	b.do("console", "numbers add +12065550200 100")
	for i := 1; i <= 4; i++ {
		b.do("console", fmt.Sprintf("add crew +1206555010%d Guest%d", i, i))
	}
	return b
}

func (b *pollStatsBundle) do(user, text string) []bot.Message {
	b.router.Command(context.Background(), bot.Invocation{User: user, Channel: "test", Text: text}, b.conv)
	return b.conv.take()
}

// send approves broadcast id and waits until nothing is sending.
func (b *pollStatsBundle) send(t *testing.T, id int64) {
	t.Helper()
	b.router.Click(context.Background(), bot.Click{User: "console", Action: fmt.Sprintf("approve:%d", id), Message: "1"}, b.conv)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.engine.WaitIdle(ctx); err != nil {
		t.Fatalf("broadcast #%d never finished: %v", id, err)
	}
	b.conv.take()
}

// answer makes guest n text body, after minutes after the poll was sent.
func (b *pollStatsBundle) answer(t *testing.T, n int, minutes int, body string) {
	t.Helper()
	b.sids++
	_, err := b.in.Receive(context.Background(), inbound.Text{
		SID: fmt.Sprintf("SM%032x", b.sids), From: fmt.Sprintf("+1206555010%d", n), To: "+12065550100", Body: body,
		At: pollStatsStart.Add(time.Duration(minutes) * time.Minute),
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (b *pollStatsBundle) stats(t *testing.T, id int64) bot.Message {
	t.Helper()
	posts := b.do("console", fmt.Sprintf("stats %d", id))
	if len(posts) != 1 {
		t.Fatalf("stats %d: %+v", id, posts)
	}
	return posts[0]
}

// TestPollStatsShowAnswersOverTime: /sms stats <poll id> counts who
// answered, when (at the milestones passed), how fast, what and who
// changed, with a line on the texts and the chart; a plain broadcast
// keeps its report.
func TestPollStatsShowAnswersOverTime(t *testing.T) {
	b := setupPollStats(t)
	if posts := b.do("console", "poll crew Which shuttle? | 5 pm shuttle | 7 pm shuttle"); len(posts) != 1 || !strings.HasPrefix(posts[0].Title, "Poll #1") {
		t.Fatalf("poll: %+v", posts)
	}
	b.send(t, 1)
	b.answer(t, 1, 2, "1")
	b.answer(t, 2, 10, "2")
	b.answer(t, 2, 30, "5pm") // changed
	b.answer(t, 3, 40, "which bus is closer?")

	// Right after sending: no milestone has passed yet.
	b.clock.Advance(3 * time.Minute)
	if got := statsField(t, b.stats(t, 1), "Answered over time"); got != "first text sent 10:00, 3m00s ago: the first figure is at 5 min" {
		t.Fatalf("over time after 3 min: %q", got)
	}

	b.clock.Advance(2*time.Hour - 3*time.Minute)
	m := b.stats(t, 1)
	if want := "Poll #1 to crew: Which shuttle?"; m.Title != want {
		t.Fatalf("title %q, want %q", m.Title, want)
	}
	for label, want := range map[string]string{
		"Status":             "open, no closing time",
		"Answered":           "2 of 4 (50.0%) · 2 have not answered",
		"Answered over time": "within 5 min: 25.0% (1) · within 15 min: 50.0% (2) · within 1 h: 50.0% (2)",
		"Time to answer":     "median 2m00s, 90% within 10m00s (2 answers)",
		"Answers":            "1) 5 pm shuttle: 2 (100.0%)\n2) 7 pm shuttle: 0 (0.0%)",
		"Changed answers":    "1 changed since their first answer",
		"Chart":              "attached poll-1.png",
	} {
		if got := statsField(t, m, label); got != want {
			t.Errorf("%s: %q, want %q", label, got, want)
		}
	}
	if got := statsField(t, m, "Texts"); !strings.HasPrefix(got, "4 sent: ") {
		t.Errorf("texts: %q, want 4 sent", got)
	}
	img, err := png.Decode(bytes.NewReader(b.conv.files["poll-1.png"]))
	if err != nil {
		t.Fatalf("chart: %v", err)
	}
	if size := img.Bounds().Size(); size.X != 768 || size.Y != 384 {
		t.Fatalf("chart %v, want 768×384", size)
	}

	// Closed: the status says so and the figures stay.
	b.router.Click(context.Background(), bot.Click{User: "console", Action: "pclose:1", Message: "1"}, b.conv)
	b.conv.take()
	if got := statsField(t, b.stats(t, 1), "Status"); got != "closed 12:00 by console" {
		t.Fatalf("status after closing: %q", got)
	}

	// A broadcast that is not a poll keeps the broadcast's report. (It
	// is not sent: two hours have passed on the fake clock in one step,
	// and the engine's leases would first have to catch up.)
	b.do("console", "send crew Doors open at 7")
	if m := b.stats(t, 2); !strings.HasPrefix(m.Title, "Broadcast #2 to crew") || labelled(m, "Answered over time") || !labelled(m, "Texts") {
		t.Fatalf("stats of a broadcast: %q %+v", m.Title, m.Fields)
	}
}
