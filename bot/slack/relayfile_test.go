package slack_test

import (
	"context"
	"testing"

	"smsbot/bot"
	"smsbot/bot/bottest"
	"smsbot/inbound"
)

// A contact's MMS file is shown in their thread in the staff channel.
func TestSlackRelayFileGoesToTheThread(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	var staff inbound.FileStaff = c.adapter.Staff() // the inbound service relays files only to a FileStaff
	ctx := context.Background()
	thread, err := staff.Relay(ctx, "", bot.Message{Title: "💬 +12065550001", Text: "look at this"})
	if err != nil {
		t.Fatal(err)
	}
	if err := staff.RelayFile(ctx, thread, "SM00-1.jpg", []byte("\xff\xd8\xff picture")); err != nil {
		t.Fatal(err)
	}
	if got := c.fake.sharedIn("SM00-1.jpg"); got != staffID {
		t.Errorf("file shared in %q, want the staff channel %s", got, staffID)
	}
	if got := c.fake.sharedThread("SM00-1.jpg"); got != thread {
		t.Errorf("file shared in thread %q, want the contact's thread %q", got, thread)
	}
	if data, _ := c.fake.report("SM00-1.jpg"); data != "\xff\xd8\xff picture" {
		t.Errorf("uploaded %q", data)
	}
}
