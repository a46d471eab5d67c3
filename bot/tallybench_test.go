package bot_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot"
	"smsbot/broadcast"
	"smsbot/broadcast/sim"
	"smsbot/importer"
	"smsbot/inbound"
	"smsbot/store"
)

// The benchmark's poll: 5,000 recipients who all answer within a minute.
const (
	benchRecipients = 5000
	benchMinute     = time.Minute
	benchSender     = "+12065550100"
	// benchEditsMax is the most tally edits a minute may take: one per
	// ProgressEvery (2 s), and one for an answer on the first tick.
	// Slack's chat.update is Tier 3 (about 50 a minute); Discord allows 5
	// edits per 5 s in a channel (60 a minute).
	benchEditsMax = int(benchMinute/(2*time.Second)) + 1
)

// benchAnswers are ways to answer options 1 and 2: by number, with
// noise, by label.
var benchAnswers = [][2]string{{"1", "2!!"}, {"5pm", "7 pm shuttle"}, {"#1", "two"}}

// benchOption is recipient i's answer in minute round: 1 or 2 in turn at
// first, then everyone 2, everyone 1, and so on, so that the tally
// changes between any two turns.
func benchOption(i, round int) int {
	if round == 0 {
		return i%2 + 1
	}
	return round%2 + 1
}

// newTallyBench is a router with polls on a real store on disk, its
// tally on a fake clock, with a 5,000-recipient poll sent (through the
// sim carrier, unpaced) and its tally posted. It returns the bundle and
// the tally's ref.
func newTallyBench(b *testing.B) (*pollBundle, bot.Ref) {
	b.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(b.TempDir(), "smsbot.db")})
	if err != nil {
		b.Fatal(err)
	}
	eng, err := broadcast.New(broadcast.Config{Store: st, Provider: sim.New(sim.Config{Out: io.Discard}), Unpaced: true, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	if err := eng.Start(ctx); err != nil {
		b.Fatal(err)
	}
	clock := clockwork.NewFakeClockAt(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
	r := bot.New(bot.Config{Engine: eng, Directory: st, Polls: st, Clock: clock, Logger: quiet, Location: time.UTC})
	b.Cleanup(func() {
		r.Close()
		eng.Close()
		st.Close()
	})
	pb := &pollBundle{router: r, store: st, engine: eng, clock: clock, conv: newEditRecorder()}
	pb.do("alice", "numbers add "+benchSender+" 1000")
	err = st.ImportContacts(ctx, "crew", "bench", func(w importer.Writer) error {
		rows := make([]importer.Row, benchRecipients)
		for i := range rows {
			rows[i] = importer.Row{Line: i + 2, Phone: benchPhone(i), Name: fmt.Sprintf("Guest %d", i+1)}
		}
		_, err := w.Write(ctx, rows)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	pb.do("alice", `poll crew Which shuttle? | 5 pm shuttle | 7 pm shuttle --confirm "Got it: {answer}. Reply again to change."`)
	progress, stop, err := eng.Subscribe(ctx, 1)
	if err != nil {
		b.Fatal(err)
	}
	defer stop()
	r.Click(ctx, bot.Click{User: "alice", Action: "approve:1", Message: "1"}, pb.conv)
	failsafe := time.NewTimer(5 * time.Minute)
	defer failsafe.Stop()
	for done := false; !done; {
		select {
		case p := <-progress:
			done = p.Done
		case <-failsafe.C:
			b.Fatal("the poll was not sent")
		}
	}
	ref, _, ok := pb.conv.find("📊 Poll #1")
	if !ok {
		b.Fatal("no tally posted")
	}
	if t, err := st.Tally(ctx, 1); err != nil || t.Recipients != benchRecipients {
		b.Fatalf("tally %+v (%v), want %d recipients", t, err, benchRecipients)
	}
	return pb, ref
}

func benchPhone(i int) string { return fmt.Sprintf("+1425%07d", i+1) }

// BenchmarkPollTally is a 5,000-recipient poll whose 5,000 answers
// arrive within a minute of the router's fake clock, one every 12 ms:
// each is stored, matched and counted (store.SaveText on SQLite on disk),
// and every 2 s the router's tally turn reads the tally (Store.Tally),
// renders it and edits the message. One op is one such minute; each
// minute after the first, everyone answers again (see benchOption). It reports the
// time per answer (ns/answer: all of it; save-ns/answer: SaveText
// alone), per tally turn (turn-ns), and the edits the tally message
// got per minute (edits/min), which must stay within benchEditsMax:
//
//	go test ./bot/ -run '^$' -bench PollTally -benchtime 5x
func BenchmarkPollTally(b *testing.B) {
	pb, ref := newTallyBench(b)
	ctx := context.Background()
	every := benchMinute / benchRecipients
	turns := func() int {
		pb.conv.mu.Lock()
		defer pb.conv.mu.Unlock()
		return len(pb.conv.edits[ref])
	}
	var saving, turning time.Duration
	waited := 0
	// turn moves the router's clock to tick and waits for the tally's
	// edit: answers came since the last turn, so it must change.
	turn := func(tick time.Time) {
		start := time.Now()
		pb.clock.Advance(tick.Sub(pb.clock.Now()))
		failsafe := time.NewTimer(time.Minute)
		defer failsafe.Stop()
		for {
			select {
			case got := <-pb.conv.edit:
				if got != ref {
					continue // the poll's progress message
				}
				turning += time.Since(start)
				waited++
				return
			case <-failsafe.C:
				b.Fatalf("no tally edit at %v", tick)
			}
		}
	}
	b.ResetTimer()
	for round := range b.N {
		begin := pb.clock.Now()
		next := begin.Add(2 * time.Second)
		before := turns()
		for i := range benchRecipients {
			at := begin.Add(time.Duration(i) * every)
			for !at.Before(next) {
				turn(next)
				next = next.Add(2 * time.Second)
			}
			want := benchOption(i, round)
			body := benchAnswers[i%len(benchAnswers)][want-1]
			pb.sids++
			start := time.Now()
			saved, fresh, err := pb.store.SaveText(ctx, inbound.Text{SID: fmt.Sprintf("SM%032x", pb.sids),
				From: benchPhone(i), To: benchSender, Body: body, At: at}, inbound.ParseKeyword(body))
			saving += time.Since(start)
			if err != nil || !fresh || !saved.Poll.Counted() || saved.Poll.Option != want {
				b.Fatalf("answer %q: %+v fresh %v (%v), want counted as %d", body, saved.Poll, fresh, err, want)
			}
		}
		for end := begin.Add(benchMinute); !next.After(end); next = next.Add(2 * time.Second) {
			turn(next)
		}
		if edits := turns() - before; edits > benchEditsMax {
			b.Errorf("minute %d: %d tally edits, want at most %d", round+1, edits, benchEditsMax)
		}
	}
	b.StopTimer()
	if t, err := pb.store.Tally(ctx, 1); err != nil || t.Answered != benchRecipients {
		b.Errorf("tally %+v (%v), want all %d answered", t, err, benchRecipients)
	}
	if edits := turns(); edits != waited {
		b.Errorf("the tally got %d edits, %d of them at the turns", edits, waited)
	}
	answers := float64(b.N * benchRecipients)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/answers, "ns/answer")
	b.ReportMetric(float64(saving.Nanoseconds())/answers, "save-ns/answer")
	b.ReportMetric(float64(turning.Nanoseconds())/float64(max(waited, 1)), "turn-ns")
	b.ReportMetric(float64(turns())/float64(b.N), "edits/min")
}
