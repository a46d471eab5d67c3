package console_test

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"smsbot/bot/bottest"
	"smsbot/bot/console"
	"smsbot/broadcast"
)

var leftPausedRe = regexp.MustCompile(`^Left: #1 paused \((nothing sent yet|\d+ of 20 sent); /sms resume 1 continues it\)\.\n$`)

func progressOf(id int64, status broadcast.Status, sent, total int, eta time.Duration) broadcast.Progress {
	return broadcast.Progress{Broadcast: broadcast.Broadcast{ID: id, Status: status, ListName: "crew"},
		Counts: broadcast.Counts{Sent: sent, Queued: total - sent, Total: total}, ETA: eta}
}

// At the end of input the console says which broadcasts it waits for
// and about how long, then waits; as it ends it says what is left.
func TestEndOfInputSaysWhatItWaitsFor(t *testing.T) {
	var out bytes.Buffer
	waited := false
	list := []broadcast.Progress{progressOf(3, broadcast.StatusSending, 10, 50, 40*time.Second),
		progressOf(5, broadcast.StatusSending, 0, 500, 2*time.Hour+5*time.Minute+10*time.Second),
		progressOf(4, broadcast.StatusPaused, 12, 50, 0)}
	con := console.New(console.Config{In: strings.NewReader(""), Out: &out,
		Unfinished: func(context.Context) ([]broadcast.Progress, error) { return list, nil },
		Scheduled:  func(context.Context) (int, string, error) { return 2, "Tue 1 Dec 18:45 CET (in 3h)", nil },
		Wait: func(context.Context) error {
			if !strings.Contains(out.String(), "Waiting for broadcasts #3 and #5 to finish (about 2h05m)… press Ctrl-C to leave them queued: they resume when smsbot runs again.\n") {
				t.Errorf("before waiting, the console printed:\n%s", out.String())
			}
			waited = true
			list = list[2:] // #3 and #5 finished
			return nil
		},
	})
	if err := con.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !waited {
		t.Fatal("the console did not wait")
	}
	want := "Left: #4 paused (12 of 50 sent; /sms resume 4 continues it); 2 schedules pending, the next Tue 1 Dec 18:45 CET (in 3h) (schedules fire only while smsbot runs).\n"
	if got := out.String(); !strings.HasSuffix(got, want) {
		t.Errorf("printed:\n%s\nwant it to end with:\n%s", got, want)
	}
	if strings.Contains(out.String(), "#4 to finish") {
		t.Errorf("the console says it waits for the paused broadcast:\n%s", out.String())
	}
	con.Farewell(context.Background()) // a second call prints nothing
	if n := strings.Count(out.String(), "Left:"); n != 1 {
		t.Errorf("Left printed %d times", n)
	}
}

// With nothing running, paused or scheduled, the console ends quietly.
func TestEndOfInputQuietWhenNothingLeft(t *testing.T) {
	var out bytes.Buffer
	con := console.New(console.Config{In: strings.NewReader(""), Out: &out,
		Unfinished: func(context.Context) ([]broadcast.Progress, error) { return nil, nil },
		Scheduled:  func(context.Context) (int, string, error) { return 0, "", nil },
	})
	if err := con.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("printed %q", out.String())
	}
}

// Through the router: a broadcast paused from the console is named as
// left when the input ends, with the engine's counts.
func TestEndOfInputNamesPausedThroughRouter(t *testing.T) {
	core := bottest.NewCore(t, bottest.Setup{}, nil)
	ctx := context.Background()
	var out bytes.Buffer
	unfinished := func(ctx context.Context) ([]broadcast.Progress, error) {
		bs, err := core.Engine.Unfinished(ctx)
		var ps []broadcast.Progress
		for _, b := range bs {
			p, _ := core.Engine.Status(ctx, b.ID)
			ps = append(ps, p)
		}
		return ps, err
	}
	var script strings.Builder
	script.WriteString("/sms numbers add +12065550101 1\n")
	for i := range 20 { // at 1/s, most are still queued when it is paused
		fmt.Fprintf(&script, "/sms add crew +120655500%02d\n", i)
	}
	script.WriteString("/sms send crew hi\n")
	con := console.New(console.Config{Router: core.Router, In: strings.NewReader(script.String()), Out: &out,
		Wait: core.Engine.WaitIdle, Unfinished: unfinished})
	if err := con.Run(ctx); err != nil {
		t.Fatal(err)
	}
	// Nothing approved: nothing waited for or left (a pending preview is
	// neither sending nor paused).
	if strings.Contains(out.String(), "Waiting for") || strings.Contains(out.String(), "Left:") {
		t.Errorf("printed:\n%s", out.String())
	}
	if _, err := core.Engine.Approve(ctx, 1, "console"); err != nil {
		t.Fatal(err)
	}
	if _, err := core.Engine.Pause(ctx, 1, "console"); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	con = console.New(console.Config{Router: core.Router, In: strings.NewReader(""), Out: &out,
		Wait: core.Engine.WaitIdle, Unfinished: unfinished})
	if err := con.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !leftPausedRe.MatchString(got) {
		t.Errorf("printed %q", got)
	}
}
