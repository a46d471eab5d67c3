package slack_test

import (
	"strings"
	"testing"

	"smsbot/bot/bottest"
)

// setupCrew adds a number and a list of one, crew.
func setupCrew(t *testing.T, c *httpChat) {
	t.Helper()
	c.Type(t, "U0ALICE", "numbers add +12065550101 50")
	c.WaitFor(t, "Added")
	c.Type(t, "U0ALICE", "add crew +12065550001 Ada")
	c.WaitFor(t, "to crew")
}

// Slack refuses some messages for limits it does not document
// (msg_blocks_too_long). The preview is then posted once more in short,
// saying so, with its recipients and segments and its buttons: it can
// still be approved, and its progress is shown in place.
func TestSlackRefusedPreviewIsPostedInShort(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	setupCrew(t, c)
	c.fake.refuseNext("chat.postMessage", "waiting for approval", "msg_blocks_too_long")
	c.Type(t, "U0ALICE", "send crew Dinner is served")
	got := c.WaitFor(t, "waiting for approval")
	for _, want := range []string{
		"Too long for Slack to show in full (msg_blocks_too_long)",
		"in short: Recipients: 1 · Segments: 1 per text, GSM-7; 1 in total",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("short preview lacks %q:\n%s", want, got)
		}
	}
	c.fake.waitRefused(t, "chat.postMessage", "Dinner is served")
	c.Click(t, "U0ALICE", "Approve")
	c.WaitFor(t, "finished")
	if n := len(c.sim.Sent()); n != 1 {
		t.Fatalf("%d texts sent", n)
	}
}

// An edit Slack refuses is made in short too.
func TestSlackRefusedUpdateIsMadeInShort(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	setupCrew(t, c)
	c.Type(t, "U0ALICE", "send crew Dinner")
	c.WaitFor(t, "waiting for approval")
	c.fake.refuseNext("chat.update", "finished", "invalid_blocks")
	c.Click(t, "U0ALICE", "Approve")
	got := c.WaitFor(t, "finished")
	if !strings.Contains(got, "Too long for Slack to show in full (invalid_blocks)") {
		t.Fatalf("summary:\n%s", got)
	}
}

// A response URL answers 400 to what Slack will not show: the answer is
// shown in short.
func TestSlackRefusedEphemeralIsShownInShort(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	c.fake.refuseNext("response_url", "smsbot: SMS announcements", "invalid_blocks")
	c.Type(t, "U0ALICE", "help")
	got := c.WaitFor(t, "smsbot: SMS announcements")
	if !strings.Contains(got, "Too long for Slack to show in full (HTTP 400)") {
		t.Fatalf("help:\n%s", got)
	}
}

// When the short form is refused too, the router is told (and logs it):
// there is no third try.
func TestSlackRefusedShortFormIsAnError(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	c.fake.refuseNext("response_url", "smsbot: SMS announcements", "invalid_blocks")
	c.fake.refuseNext("response_url", "smsbot: SMS announcements", "invalid_blocks")
	c.Type(t, "U0ALICE", "help")
	line := c.logs.waitFor(t, "posting answer failed")
	if !strings.Contains(line, "in short") {
		t.Fatalf("logged %s", line)
	}
	c.adapter.Close()
	if n := c.fake.count(); n != 0 {
		t.Fatalf("%d messages shown", n)
	}
}
