package console_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"smsbot/bot"
	"smsbot/bot/console"
)

// tallyMsg is a message like the router's tally of poll #1.
func tallyMsg(one, two int, title string, buttons ...bot.Button) bot.Message {
	n := one + two
	return bot.Message{
		Title: title,
		Text:  "`1) 5 pm ████░░` " + strings.Repeat("I", one) + "\n`2) 7 pm ██░░░░` " + strings.Repeat("I", two),
		Fields: []bot.Field{{Label: "Answered", Value: strings.Repeat("I", n) + " of 3"},
			{Label: "Status", Value: "open, no closing time"}, {Label: "Follow up", Value: "/sms send poll:1=1 <message>"}},
		Buttons: buttons,
	}
}

// An edit that keeps a message's title and buttons (a poll's tally as
// answers come) prints the title, the text and the fields that changed;
// one that changes the buttons (the poll closed) prints it whole, and
// a message that ran as progress in between is printed whole again.
func TestEditsPrintedShort(t *testing.T) {
	var out bytes.Buffer
	con := console.New(console.Config{Out: &out})
	ctx := context.Background()
	open := "📊 Poll #1 to crew: Which shuttle?"
	closeNow := bot.Button{Label: "Close now", Action: "pclose:1"}
	ref, _ := con.Post(ctx, tallyMsg(0, 0, open, closeNow))
	out.Reset()
	con.Update(ctx, ref, tallyMsg(1, 0, open, closeNow))
	if want := "── " + open + "\n1) 5 pm ████░░ I\n2) 7 pm ██░░░░ \n   Answered: I of 3\n"; out.String() != want {
		t.Errorf("an answer printed\n%s\nwant\n%s", out.String(), want)
	}
	out.Reset()
	con.Update(ctx, ref, tallyMsg(0, 1, open, closeNow)) // changed their answer
	if want := "── " + open + "\n1) 5 pm ████░░ \n2) 7 pm ██░░░░ I\n"; out.String() != want {
		t.Errorf("a change of answer printed\n%s\nwant\n%s", out.String(), want)
	}
	out.Reset()
	closed := tallyMsg(0, 1, open+" (closed)", bot.Button{Label: "Export", Action: "pexport:1"})
	con.Update(ctx, ref, closed)
	if want := console.Render(closed); out.String() != want {
		t.Errorf("the closed tally printed\n%s\nwant it whole:\n%s", out.String(), want)
	}
	out.Reset()
	con.Update(ctx, ref, closed) // told twice
	if out.Len() != 0 {
		t.Errorf("an edit that changes nothing printed %q", out.String())
	}

	// A paused broadcast, resumed and paused again, shows its Resume
	// button each time.
	paused := progressMsg(20, 50, "paused")
	ref, _ = con.Post(ctx, progressMsg(0, 50, "sending"))
	con.Update(ctx, ref, paused)
	con.Update(ctx, ref, progressMsg(30, 50, "sending"))
	out.Reset()
	paused = progressMsg(40, 50, "paused")
	con.Update(ctx, ref, paused)
	if got := out.String(); !strings.Contains(got, "[Resume] /click resume:1") {
		t.Errorf("paused again, the block lacks its Resume button:\n%s", got)
	}
}
