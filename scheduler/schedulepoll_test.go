package scheduler_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/inbound"
	"smsbot/poll"
	"smsbot/scheduler"
)

var shuttle = []string{"5 pm shuttle", "7 pm shuttle"}

// sendPoll sends a poll to crew now and waits until its texts are out.
func (b *bundle) sendPoll() int64 {
	b.t.Helper()
	ctx := context.Background()
	p, err := b.engine.Prepare(ctx, broadcast.Draft{List: "crew", Body: poll.Body("Which shuttle?", shuttle),
		Question: &broadcast.Question{Text: "Which shuttle?", Options: shuttle}, RequestedBy: "alice"})
	if err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.engine.Approve(ctx, p.Broadcast.ID, "bob"); err != nil {
		b.t.Fatal(err)
	}
	b.done(p.Broadcast.ID)
	return p.Broadcast.ID
}

// done waits until broadcast id has finished.
func (b *bundle) done(id int64) {
	b.t.Helper()
	ch, stop, err := b.engine.Subscribe(context.Background(), id)
	if err != nil {
		b.t.Fatal(err)
	}
	defer stop()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case p := <-ch:
			if p.Done {
				return
			}
		case <-timeout:
			b.t.Fatalf("broadcast #%d did not finish", id)
		}
	}
}

// answer makes phone text body to the sender, as an answer would come in.
func (b *bundle) answer(in *inbound.Service, sid int, phone, body string) {
	b.t.Helper()
	if _, err := in.Receive(context.Background(), inbound.Text{SID: fmt.Sprintf("SM%032x", sid), From: phone, To: "+12065550101", Body: body}); err != nil {
		b.t.Fatal(err)
	}
}

func (b *bundle) when(text string) scheduler.When {
	b.t.Helper()
	w, rest, err := b.sched.ReadWhen(text)
	if err != nil || rest != "" {
		b.t.Fatalf("ReadWhen(%q) = %v, %q", text, err, rest)
	}
	return w
}

func (b *bundle) approve(sc scheduler.Schedule) {
	b.t.Helper()
	if _, err := b.sched.Approve(context.Background(), sc.ID, "bob"); err != nil {
		b.t.Fatal(err)
	}
}

func TestGroupScheduleReadsTheGroupAtRunTime(t *testing.T) {
	b := setup(t, t0)
	ctx := context.Background()
	in, err := inbound.New(inbound.Config{Store: b.store})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.AddMember(ctx, "crew", "+12065550003", "Cy", "test"); err != nil {
		t.Fatal(err)
	}
	id := b.sendPoll()
	b.answer(in, 1, "+12065550001", "2")
	b.answer(in, 3, "+12065550003", "1")
	g := broadcast.Group{Poll: id, Option: 2}
	sc, p, err := b.sched.PlanRequest(ctx, scheduler.Request{When: b.when("in 30m"), Group: g, Body: "The 7 pm shuttle leaves from Gate B", RequestedBy: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Recipients() != 1 || p.Broadcast.Group != g || sc.Group != g || sc.ListName != "crew" || b.stored(sc.ID).Group != g {
		t.Fatalf("planned %+v with %d recipients (group %v)", sc, p.Recipients(), p.Broadcast.Group)
	}
	if n := b.count("SELECT COUNT(*) FROM schedules WHERE group_poll = ? AND group_option = 2", id); n != 1 {
		t.Fatalf("%d schedules stored with group_poll %d, group_option 2", n, id)
	}
	b.approve(sc)
	b.answer(in, 2, "+12065550002", "7 pm") // answers after the schedule was planned
	b.idle(1)
	b.clock.Advance(30 * time.Minute)
	e := b.next("fired")
	if e.broadcast.Group != g || e.broadcast.ListName != "crew" {
		t.Fatalf("fired %+v", e.broadcast)
	}
	b.done(e.broadcast.ID)
	if n := b.count("SELECT COUNT(*) FROM messages WHERE broadcast_id = ?", e.broadcast.ID); n != 2 {
		t.Fatalf("the run texted %d, want the 2 who answered 2 by then", n)
	}
}

func TestScheduledPollFires(t *testing.T) {
	q := scheduler.Question{Text: "Which shuttle?", Options: shuttle, Confirm: "Got it: {answer}"}
	// The engine refuses a poll closing before its own (real) clock.
	start := time.Now().UTC().Truncate(time.Second)
	nine := start.Truncate(24 * time.Hour).Add(9 * time.Hour)
	if !nine.After(start) {
		nine = nine.Add(24 * time.Hour)
	}
	for _, tt := range []struct {
		name, when string
		closesIn   time.Duration // relative closing
		closes     time.Time     // absolute closing
		runs       []time.Duration
		want       time.Duration // each poll closes this long after its run
	}{
		{name: "in 2h", when: "in 30m", closesIn: 2 * time.Hour, runs: []time.Duration{30 * time.Minute}, want: 2 * time.Hour},
		{name: "at a time", when: "in 30m", closes: start.Add(3 * time.Hour), runs: []time.Duration{30 * time.Minute}, want: 150 * time.Minute},
		{name: "no closing", when: "in 30m", runs: []time.Duration{30 * time.Minute}},
		{name: "recurring", when: `"0 9 * * *"`, closesIn: time.Hour, runs: []time.Duration{nine.Sub(start), 24 * time.Hour}, want: time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t, start)
			ctx := context.Background()
			qq := q
			qq.ClosesIn = tt.closesIn
			sc, p, err := b.sched.PlanRequest(ctx, scheduler.Request{When: b.when(tt.when), List: "crew", Poll: &qq, Closes: tt.closes, RequestedBy: "alice"})
			if err != nil {
				t.Fatal(err)
			}
			if sc.Poll == nil || sc.Poll.ClosesIn != tt.want || sc.Body != poll.Body(q.Text, q.Options) || p.Broadcast.Question == nil {
				t.Fatalf("planned %+v (poll %+v), preview %+v", sc, sc.Poll, p.Broadcast)
			}
			if got := b.stored(sc.ID).Poll; got == nil || got.Text != q.Text || len(got.Options) != 2 || got.Confirm != q.Confirm || got.ClosesIn != tt.want {
				t.Fatalf("stored poll %+v", got)
			}
			b.approve(sc)
			for i, wait := range tt.runs {
				b.idle(1)
				b.clock.Advance(wait)
				runAt := b.clock.Now()
				e := b.next("fired")
				got, err := b.store.Poll(ctx, e.broadcast.ID)
				if err != nil {
					t.Fatalf("run %d: no poll for broadcast #%d: %v", i+1, e.broadcast.ID, err)
				}
				if got.Question.Text != q.Text || len(got.Question.Options) != 2 || got.Question.Options[1] != shuttle[1] || got.Question.Confirm != q.Confirm {
					t.Fatalf("run %d: poll %+v", i+1, got.Question)
				}
				switch c := got.Question.ClosesAt; {
				case tt.want == 0 && c != nil:
					t.Fatalf("run %d: poll closes at %v, want no closing", i+1, c)
				case tt.want != 0 && (c == nil || !c.Equal(runAt.Add(tt.want))):
					t.Fatalf("run %d at %v: poll closes at %v, want %v", i+1, runAt, c, runAt.Add(tt.want))
				}
				if e.broadcast.Body != poll.Body(q.Text, q.Options) {
					t.Fatalf("run %d texted %q", i+1, e.broadcast.Body)
				}
			}
		})
	}
}

func TestScheduledPollBadInputWritesNothing(t *testing.T) {
	b := setup(t, t0)
	ctx := context.Background()
	q := scheduler.Question{Text: "Which shuttle?", Options: shuttle}
	for _, tt := range []struct {
		name string
		req  scheduler.Request
		want string
	}{
		{"closes before the run", scheduler.Request{When: b.when("in 2h"), List: "crew", Poll: &q, Closes: t0.Add(time.Hour)},
			`the poll would close Tue 1 Dec 16:33 UTC (in 1h), before it is sent Tue 1 Dec 17:33 UTC (in 2h): give a later --closes, or "in 2h" for 2 hours after it is sent`},
		{"closes as it is sent", scheduler.Request{When: b.when("in 2h"), List: "crew", Poll: &q, Closes: t0.Add(2 * time.Hour)}, "before it is sent"},
		{"recurring, absolute closing", scheduler.Request{When: b.when(`"0 9 * * *"`), List: "crew", Poll: &q, Closes: t0.Add(48 * time.Hour)},
			`a recurring poll closes a while after each run: write --closes "in 2h", not a time`},
		{"unknown poll", scheduler.Request{When: b.when("in 2h"), Group: broadcast.Group{Poll: 99, Option: 1}, Body: "Hi"}, "there is no poll #99"},
		{"unknown list", scheduler.Request{When: b.when("in 2h"), List: "vips", Poll: &q}, `"vips"`},
		{"one option", scheduler.Request{When: b.when("in 2h"), List: "crew", Poll: &scheduler.Question{Text: "Coming?", Options: []string{"yes"}}}, "this one has 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.RequestedBy = "alice"
			_, _, err := b.sched.PlanRequest(ctx, tt.req)
			if code := broadcast.ErrorCode(err); code != broadcast.EINVALID && code != broadcast.ENOTFOUND {
				t.Fatalf("PlanRequest = %v, want EINVALID or ENOTFOUND", err)
			}
			msg := broadcast.ErrorMessage(err)
			if strings.Contains(msg, "\n") || !strings.Contains(msg, tt.want) {
				t.Fatalf("error %q, want one line with %q", msg, tt.want)
			}
			if n := b.count("SELECT COUNT(*) FROM schedules") + b.count("SELECT COUNT(*) FROM broadcasts"); n != 0 {
				t.Fatalf("%d rows written", n)
			}
		})
	}
}
