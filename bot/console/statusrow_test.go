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

const (
	setRegion24 = "\x1bD\x1b7\x1b[1;23r\x1b8\x1b[1A"             // make room, reserve row 24, back to the cursor
	release24   = "\x1b7\x1b[r\x1b[24;1H\x1b[2K\x1b8"            // reset the region, clear row 24
	drawRow24   = "\x1b7\x1b[24;1H\x1b[2K"                       // a redraw, up to its restoreCursor
	anyRegion   = "\x1b[1;"                                      // the start of any DECSTBM with margins
	inputErase  = "\r\x1b[2K"                                    // what erased the line being typed
	answerText  = "Added +12065550100 to crew."                  // an answer printed meanwhile
	summaryText = "Sent 50, failed 0, skipped 0 of 50 in 10s.\n" // summaryMsg's text
)

// drawRe is one redraw of the status row: saved cursor, row 24, the line,
// restored cursor.
var drawRe = regexp.MustCompile("\x1b7\x1b\\[24;1H\x1b\\[2K([^\x1b\r\n]*)\x1b8")

// heightConsole is a terminal Console of 24 rows and 60 columns.
func heightConsole(out *bytes.Buffer, height func() int) *console.Console {
	return console.New(console.Config{Out: out, Terminal: true, Width: func() int { return 60 }, Height: height})
}

// On a terminal of known height, the last row is kept for the progress:
// the scroll region is set once as the broadcast starts, every redraw
// saves the cursor, draws on row 24 and restores it, an answer meanwhile
// is printed in the region without touching the row, and at the end the
// row is cleared and the region reset. Nothing erases the cursor's line.
func TestProgressOnStatusRow(t *testing.T) {
	var out bytes.Buffer
	con := heightConsole(&out, func() int { return 24 })
	ctx := context.Background()
	ref, _ := con.Post(ctx, bot.Message{Title: "Broadcast #1 to crew: waiting for approval", Text: "> hi"})
	for sent := 0; sent <= 50; sent++ {
		for range 2 {
			con.Update(ctx, ref, progressMsg(sent, 50, "sending"))
		}
		if sent == 25 {
			before := out.Len()
			con.Post(ctx, bot.Message{Text: answerText})
			if got := out.String()[before:]; got != answerText+"\n" {
				t.Errorf("an answer during progress wrote %q, want only %q (the row left alone)", got, answerText+"\n")
			}
		}
	}
	con.Update(ctx, ref, summaryMsg)
	got := out.String()

	if n := strings.Count(got, anyRegion); n != 1 || strings.Count(got, setRegion24) != 1 {
		t.Errorf("the region set %d times (%d as %q), want once:\n%q", n, strings.Count(got, setRegion24), setRegion24, got)
	}
	if i, j := strings.Index(got, setRegion24), strings.Index(got, drawRow24); i < 0 || j < i {
		t.Errorf("the row drawn (at %d) before the region is set (at %d):\n%q", j, i, got)
	}
	draws := drawRe.FindAllStringSubmatch(got, -1)
	if len(draws) != 51 {
		t.Errorf("the row drawn %d times, want 51 (one per change):\n%q", len(draws), got)
	}
	for _, d := range draws {
		if !strings.HasPrefix(d[1], "#1 to crew ") || len([]rune(d[1])) > 59 {
			t.Errorf("row drawn as %q, want a progress line of at most 59 columns", d[1])
		}
	}
	// Every erase is of row 24: inside a redraw or the release.
	if n, want := strings.Count(got, "\x1b[2K"), len(draws)+1; n != want {
		t.Errorf("%d line erases, want %d (the redraws and the release)", n, want)
	}
	if strings.Contains(got, "\r") {
		t.Errorf("a carriage return (the cursor's line redrawn):\n%q", got)
	}
	if strings.Count(got, release24) != 1 || !strings.HasSuffix(got, summaryText+release24) {
		t.Errorf("the output does not end with the summary, then the row cleared and the region reset once:\n%q", got[max(0, len(got)-300):])
	}
	if !strings.Contains(got, "── \x1b[1mBroadcast #1 to crew: waiting for approval\x1b[22m\n") || !strings.Contains(got, answerText+"\n") {
		t.Errorf("the messages are not printed in the region:\n%q", got)
	}
}

// Each run of a broadcast reserves the row and releases it: paused (the
// block printed once) there is no progress, and the terminal is whole.
func TestStatusRowReleasedWhilePaused(t *testing.T) {
	var out bytes.Buffer
	con := heightConsole(&out, func() int { return 24 })
	drive(t, con) // pauses at 20 and 40, then finishes
	got := out.String()
	var seq []string
	for _, m := range regexp.MustCompile(`\x1b\[1;23r|\x1b\[r|── \x1b\[1mBroadcast #1 to crew: (paused|finished)`).FindAllString(got, -1) {
		switch {
		case strings.HasSuffix(m, "r"):
			seq = append(seq, map[bool]string{true: "reset", false: "set"}[m == "\x1b[r"])
		default:
			seq = append(seq, strings.TrimPrefix(m, "── \x1b[1mBroadcast #1 to crew: "))
		}
	}
	if want := "set paused reset set paused reset set finished reset"; strings.Join(seq, " ") != want {
		t.Errorf("got %q, want %q:\n%q", strings.Join(seq, " "), want, got)
	}
	if strings.Contains(got, inputErase) {
		t.Errorf("the cursor's line erased:\n%q", got)
	}
}

// Farewell (the end, Ctrl-C) while a broadcast runs clears the row and
// resets the region, and nothing is written after.
func TestFarewellReleasesStatusRow(t *testing.T) {
	var out bytes.Buffer
	con := heightConsole(&out, func() int { return 24 })
	ctx := context.Background()
	con.Update(ctx, "progress", progressMsg(10, 50, "sending"))
	if !strings.Contains(out.String(), setRegion24) {
		t.Fatalf("no region set for the progress:\n%q", out.String())
	}
	con.Farewell(ctx)
	con.Update(ctx, "progress", progressMsg(11, 50, "sending"))
	if got := out.String(); !strings.HasSuffix(got, release24) {
		t.Errorf("the output does not end with the row released:\n%q", got)
	}
}

// A resize is picked up at the next redraw: the region is set for the
// new height and the row drawn on the new last row, which is cleared at
// the end.
func TestStatusRowFollowsResize(t *testing.T) {
	var out bytes.Buffer
	rows := 24
	con := heightConsole(&out, func() int { return rows })
	ctx := context.Background()
	con.Update(ctx, "progress", progressMsg(10, 50, "sending"))
	rows = 30
	con.Update(ctx, "progress", progressMsg(11, 50, "sending"))
	con.Update(ctx, "progress", summaryMsg)
	got := out.String()
	for _, want := range []string{setRegion24, "\x1bD\x1b7\x1b[1;29r\x1b8\x1b[1A\x1b7\x1b[30;1H\x1b[2K#1 to crew", "\x1b7\x1b[r\x1b[30;1H\x1b[2K\x1b8"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in:\n%q", want, got)
		}
	}
	if n := strings.Count(got, anyRegion); n != 2 {
		t.Errorf("the region set %d times, want 2 (start, resize):\n%q", n, got)
	}
}

// With the height unknown or too small for a status row, the progress
// is redrawn on the cursor's line as before, and no region is set.
func TestNoStatusRowWithoutHeight(t *testing.T) {
	for _, h := range []int{0, 2} {
		var out bytes.Buffer
		con := heightConsole(&out, func() int { return h })
		drive(t, con)
		got := out.String()
		if n := strings.Count(got, inputErase+"#1 to crew "); n != 51 {
			t.Errorf("height %d: progress redrawn in place %d times, want 51", h, n)
		}
		if strings.Contains(got, anyRegion) || strings.Contains(got, "\x1b7") || strings.Contains(got, "\x1b[r") {
			t.Errorf("height %d: a scroll region or saved cursor:\n%q", h, got)
		}
	}
}

// An answer about a broadcast whose progress is on screen (/sms status 1
// while it sends; the router never edits it) is printed whole, as an
// answer: it is no second progress line, left stale on the row after
// the broadcast finished.
func TestStatusAnswerDuringProgress(t *testing.T) {
	var out bytes.Buffer
	con := heightConsole(&out, func() int { return 24 })
	ctx := context.Background()
	con.Update(ctx, "watched", progressMsg(10, 50, "sending"))
	before := out.Len()
	con.Post(ctx, progressMsg(15, 50, "sending"))
	answer := out.String()[before:]
	if !strings.Contains(answer, "── \x1b[1mBroadcast #1 to crew: sending\x1b[22m\n") || !strings.Contains(answer, "   Sent: 15\n") || strings.Contains(answer, drawRow24) {
		t.Errorf("the answer printed as %q, want it whole, the row left alone", answer)
	}
	con.Update(ctx, "watched", progressMsg(20, 50, "sending"))
	con.Update(ctx, "watched", summaryMsg)
	got := out.String()
	for _, d := range drawRe.FindAllStringSubmatch(got, -1) {
		if strings.Contains(d[1], "│") || strings.Contains(d[1], "sent 15") {
			t.Errorf("the answer shown on the row too: %q", d[1])
		}
	}
	if !strings.HasSuffix(got, summaryText+release24) {
		t.Errorf("the row is not released when the broadcast finished:\n%q", got[max(0, len(got)-300):])
	}
}

// Resized (SIGWINCH) sets the region again at once, for the new height,
// and draws the row on the new last row; too small a terminal gets the
// region reset and the progress on the cursor's line.
func TestStatusRowResized(t *testing.T) {
	var out bytes.Buffer
	rows := 24
	con := heightConsole(&out, func() int { return rows })
	ctx := context.Background()
	con.Resized() // nothing shown: nothing written
	if out.Len() != 0 {
		t.Errorf("Resized with no progress wrote %q", out.String())
	}
	con.Update(ctx, "progress", progressMsg(10, 50, "sending"))
	for _, h := range []int{24, 30} {
		rows = h
		before := out.Len()
		con.Resized()
		want := fmt.Sprintf("\x1bD\x1b7\x1b[1;%dr\x1b8\x1b[1A\x1b7\x1b[%d;1H\x1b[2K#1 to crew ", h-1, h)
		if got := out.String()[before:]; !strings.HasPrefix(got, want) {
			t.Errorf("resized to %d rows: wrote %q, want the region set and the row drawn, %q…", h, got, want)
		}
	}
	rows = 2
	before := out.Len()
	con.Resized()
	if got, want := out.String()[before:], "\x1b7\x1b[r\x1b[30;1H\x1b[2K\x1b8\r\x1b[2K#1 to crew "; !strings.HasPrefix(got, want) {
		t.Errorf("resized to 2 rows: wrote %q, want %q…", got, want)
	}
}
