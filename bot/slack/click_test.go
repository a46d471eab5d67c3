package slack_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"smsbot/bot/bottest"
	"smsbot/broadcast"
)

// A button press obeys the rule commands do: only in the staff channel. A
// signed Cancel press from another channel (the preview forwarded, or a
// payload built from one) is refused and cancels nothing; the same press in
// the staff channel cancels.
func TestSlackRefusesClicksOutsideStaffChannel(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	ctx := context.Background()
	c.Type(t, "U0ALICE", "numbers add +12065550101 50")
	c.WaitFor(t, "Added")
	c.Type(t, "U0ALICE", "add crew +12065550001 Ada")
	c.WaitFor(t, "to crew")
	c.Type(t, "U0ALICE", "send crew Dinner")
	c.WaitFor(t, "waiting for approval")
	cancel := c.Button(t, "Cancel")
	approve := c.Button(t, "Approve")

	for _, b := range []bottest.Button{cancel, approve} {
		elsewhere := b
		elsewhere.Channel = "C0RANDOM"
		c.cursor = c.fake.count()
		c.Press(t, "U0ALICE", elsewhere)
		got := c.WaitFor(t, "only in")
		if !strings.Contains(got, "<#"+staffID+">") {
			t.Errorf("the refusal does not link the staff channel: %q", got)
		}
	}
	c.adapter.Close() // the presses are handled
	p, err := c.engine.Status(ctx, 1)
	if err != nil || p.Broadcast.Status != broadcast.StatusPending {
		t.Fatalf("after presses from another channel: %v, %v; want pending", p.Broadcast.Status, err)
	}
	if len(c.sim.Sent()) != 0 {
		t.Fatal("a press from another channel sent texts")
	}

	c.cursor = c.fake.count()
	c.Press(t, "U0ALICE", cancel)
	c.WaitFor(t, "cancelled")
	if p, err := c.engine.Status(ctx, 1); err != nil || p.Broadcast.Status != broadcast.StatusCancelled {
		t.Fatalf("a press in the staff channel: %v, %v; want cancelled", p.Broadcast.Status, err)
	}
}

// Commands from another channel are refused with a link to the staff
// channel, and change nothing.
func TestSlackRefusesCommandsOutsideStaffChannel(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	c.cursor = c.fake.count()
	if code := c.post(t, "/slack/commands", c.commandForm(t, "U0ALICE", "C0RANDOM", "numbers add +12065550101 5"), signed); code != http.StatusOK {
		t.Fatalf("answered %d", code)
	}
	if got := c.WaitFor(t, "only in"); !strings.Contains(got, "<#"+staffID+">") {
		t.Errorf("the refusal does not link the staff channel: %q", got)
	}
	c.adapter.Close()
	if senders, _ := c.store.Senders(context.Background()); len(senders) != 0 {
		t.Fatal("a command from another channel changed the store")
	}
}
