package console_test

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"smsbot/bot"
	"smsbot/bot/console"
)

// progressMsg is a message like the router's progress of broadcast #1.
func progressMsg(sent, total int, status string) bot.Message {
	frac := float64(sent) / float64(total)
	m := bot.Message{
		Title:    "Broadcast #1 to crew: " + status,
		Text:     fmt.Sprintf("▓░ %d%%", int(frac*100)),
		Progress: &frac,
		Fields: []bot.Field{{Label: "Sent", Value: fmt.Sprint(sent)}, {Label: "Failed", Value: "0"},
			{Label: "Skipped", Value: "0"}, {Label: "Remaining", Value: fmt.Sprint(total - sent)}, {Label: "ETA", Value: "5s"}},
		Buttons: []bot.Button{{Label: "Pause", Action: "pause:1"}, {Label: "Cancel", Action: "cancel:1"}},
	}
	if status == "paused" {
		m.Buttons[0] = bot.Button{Label: "Resume", Action: "resume:1"}
	}
	return m
}

var summaryMsg = bot.Message{Title: "Broadcast #1 to crew: finished", Text: "Sent 50, failed 0, skipped 0 of 50 in 10s."}

// drive shows a broadcast of 50 texts through con: every text's
// progress (each update twice, as the router may send them), a pause and
// a resume, twice, and the summary twice.
func drive(t *testing.T, con *console.Console) {
	t.Helper()
	ctx := context.Background()
	ref, err := con.Post(ctx, bot.Message{Title: "Broadcast #1 to crew: waiting for approval", Text: "> hi"})
	if err != nil {
		t.Fatal(err)
	}
	for sent := 0; sent <= 50; sent++ {
		for range 2 {
			con.Update(ctx, ref, progressMsg(sent, 50, "sending"))
		}
		if sent == 20 || sent == 40 {
			con.Update(ctx, ref, progressMsg(sent, 50, "paused"))
			con.Update(ctx, ref, progressMsg(sent, 50, "paused"))
		}
	}
	con.Update(ctx, ref, summaryMsg)
	con.Update(ctx, ref, summaryMsg)
}

// On a terminal, progress is one line redrawn in place (carriage return,
// erase line) below a heading with the buttons, and the paused and
// finished blocks are printed once each.
func TestProgressInPlace(t *testing.T) {
	var out bytes.Buffer
	con := console.New(console.Config{Out: &out, Terminal: true, Width: func() int { return 60 }})
	drive(t, con)
	got := out.String()
	redraws := strings.Count(got, "\r\x1b[2K#1 to crew ")
	if redraws != 51 {
		t.Errorf("progress redrawn %d times, want 51 (one per change):\n%q", redraws, got)
	}
	for _, l := range strings.Split(got, "\r\x1b[2K") {
		if strings.HasPrefix(l, "#1 to crew") && (len([]rune(l)) > 59 || strings.Contains(l, "\n")) {
			t.Errorf("progress line %q is wider than the terminal or ends a line", l)
		}
	}
	if n := strings.Count(got, "── \x1b[1mBroadcast #1 to crew: paused"); n != 2 {
		t.Errorf("paused block printed %d times, want 2 (once per pause):\n%s", n, got)
	}
	if n := strings.Count(got, "Sent 50, failed 0"); n != 1 {
		t.Errorf("summary printed %d times, want 1:\n%s", n, got)
	}
	if n := strings.Count(got, "── Broadcast #1 to crew: sending   [Pause] /click pause:1   [Cancel] /click cancel:1\n"); n != 3 {
		t.Errorf("the heading with the buttons printed %d times, want 3 (before and after each pause):\n%s", n, got)
	}
	if !strings.HasSuffix(got, "Sent 50, failed 0, skipped 0 of 50 in 10s.\n") {
		t.Errorf("the output does not end with the summary (a progress line left behind?):\n%q", got[max(0, len(got)-200):])
	}
}

var compactRe = regexp.MustCompile(`(?m)^#1 to crew [▓░]+ \d+% · sent \d+ · failed 0 · remaining \d+ · ETA 5s$`)

// Through a pipe, progress is a compact line at each tenth (11 of them
// for 50 texts), the paused block and the summary once each, and no
// escape sequence or carriage return.
func TestProgressCompact(t *testing.T) {
	var out bytes.Buffer
	con := console.New(console.Config{Out: &out})
	drive(t, con)
	got := out.String()
	if n := len(compactRe.FindAllString(got, -1)); n != 11 {
		t.Errorf("%d progress lines, want 11:\n%s", n, got)
	}
	if strings.ContainsAny(got, "\r\x1b") {
		t.Errorf("a carriage return or escape sequence through a pipe:\n%q", got)
	}
	if n := strings.Count(got, "── Broadcast #1 to crew: paused"); n != 2 {
		t.Errorf("paused block printed %d times, want 2 (once per pause):\n%s", n, got)
	}
	if n := strings.Count(got, "Sent 50, failed 0"); n != 1 {
		t.Errorf("summary printed %d times, want 1:\n%s", n, got)
	}
}

// What is printed meanwhile (an answer, an incoming text) goes above the
// progress line, which is drawn again below it.
func TestPrintedAboveProgress(t *testing.T) {
	var out bytes.Buffer
	con := console.New(console.Config{Out: &out, Terminal: true})
	ctx := context.Background()
	con.Update(ctx, "progress", progressMsg(10, 50, "sending"))
	out.Reset()
	con.Post(ctx, bot.Message{Text: "Added +12065550100 to crew.\x1b[2J"})
	want := "\r\x1b[2KAdded +12065550100 to crew.\\x1b[2J\n\r\x1b[2K#1 to crew ▓"
	if got := out.String(); !strings.HasPrefix(got, want) {
		t.Errorf("printed %q, want it to start with %q", got, want)
	}
}

// Through a pipe, a broadcast's progress is one compact line per tenth
// however many messages show it: an answer to /sms status 1 (a new
// message) in a tenth already printed is printed whole, as an answer, not
// as another progress line, and a second message following the same
// broadcast prints no tenth again.
func TestProgressCompactOncePerTenthAcrossMessages(t *testing.T) {
	var out bytes.Buffer
	con := console.New(console.Config{Out: &out})
	ctx := context.Background()
	first, _ := con.Post(ctx, bot.Message{Title: "Broadcast #1 to crew: waiting for approval", Text: "> hi"})
	for sent := 0; sent <= 27; sent++ {
		con.Update(ctx, first, progressMsg(sent, 30, "sending"))
	}
	con.Post(ctx, progressMsg(28, 30, "sending")) // /sms status 1 at 93%
	second, _ := con.Post(ctx, progressMsg(28, 30, "sending"))
	con.Update(ctx, second, progressMsg(29, 30, "sending"))
	con.Update(ctx, first, progressMsg(29, 30, "sending"))
	con.Update(ctx, first, progressMsg(30, 30, "sending"))
	got := out.String()
	lines := compactRe.FindAllString(got, -1)
	var tenths []string
	for _, l := range lines {
		tenths = append(tenths, strings.Fields(l)[4])
	}
	if want := "0% 10% 20% 30% 40% 50% 60% 70% 80% 90% 100%"; strings.Join(tenths, " ") != want {
		t.Errorf("progress lines at %q, want %q:\n%s", tenths, want, got)
	}
	if n := strings.Count(got, "Sent: 28"); n != 2 {
		t.Errorf("the answers at 93%% printed %d times, want 2 (whole, as answers):\n%s", n, got)
	}
}
