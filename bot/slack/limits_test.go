package slack_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/slack-go/slack"

	"smsbot/bot"
	"smsbot/bot/bottest"
)

// huge is a message over every limit of Block Kit: a long title and text
// full of characters that escaping lengthens, hundreds of long fields and
// more buttons than an actions block holds.
func huge() bot.Message {
	m := bot.Message{
		Title: strings.Repeat("Broadcast & <title> ", 30),
		Text:  strings.Repeat("Line with <angle> & ampersand\n", 1600),
	}
	for i := range 600 {
		m.Fields = append(m.Fields, bot.Field{Label: fmt.Sprintf("%d %s", i, strings.Repeat("label ", 50)), Value: strings.Repeat("v&<", 1000)})
	}
	for i := range 30 {
		m.Buttons = append(m.Buttons, bot.Button{Label: fmt.Sprintf("%d %s", i, strings.Repeat("Approve ", 12)), Action: fmt.Sprintf("approve:%d", i)})
	}
	return m
}

// Whatever the router renders, Slack takes it: the adapter keeps posts and
// edits within Block Kit's limits (the fake fails the test otherwise).
func TestSlackMessagesKeepWithinBlockKitLimits(t *testing.T) {
	c := newHTTPChatWith(t, bottest.Setup{}, clockwork.NewRealClock())
	ctx := context.Background()
	conv := c.adapter.Channel(staffID)
	ref, err := conv.Post(ctx, huge())
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	if err := conv.Update(ctx, ref, huge()); err != nil {
		t.Fatalf("Update: %v", err)
	}
	all, _ := c.fake.since(0)
	if len(all) != 2 || all[0].kind != "post" || all[1].kind != "update" {
		t.Fatalf("shown: %d messages", len(all))
	}
	for _, s := range all {
		if !strings.HasPrefix(s.text, "*Broadcast &amp; &lt;title&gt; Broadcast") { // escaped, so Slack shows it as typed
			t.Errorf("%s lost its title: %.200s", s.kind, s.text)
		}
		if len(s.buttons) != 25 {
			t.Errorf("%s shows %d buttons, want the 25 an actions block holds", s.kind, len(s.buttons))
		}
		if !strings.Contains(s.text, "more not shown") {
			t.Errorf("%s does not say that fields were left out", s.kind)
		}
	}
}

// The fake refuses what Slack refuses, with Slack's errors: without
// that, the test above could not fail.
func TestSlackFakeRefusesWhatSlackRefuses(t *testing.T) {
	clock := clockwork.NewFakeClock()
	fake := newSlackFake(t, clock)
	fake.allowRefusals = true
	api := slack.New("xoxb-test", slack.OptionAPIURL(fake.apiURL()))
	section := func(text string) slack.Block {
		return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)
	}
	many := make([]slack.Block, 51)
	for i := range many {
		many[i] = section("x")
	}
	for _, tt := range []struct {
		name    string
		opts    []slack.MsgOption
		err     string
		message string
	}{
		{"text over 40,000", []slack.MsgOption{slack.MsgOptionText(strings.Repeat("x", 40001), false)}, "msg_too_long", ""},
		{"section over 3,000", []slack.MsgOption{slack.MsgOptionText("x", false), slack.MsgOptionBlocks(section("ok"), section(strings.Repeat("é", 3001)))},
			"invalid_blocks", "[ERROR] must be less than 3001 characters [json-pointer:/blocks/1/text/text]"},
		{"CJK section over 3,000 bytes", []slack.MsgOption{slack.MsgOptionText("x", false), slack.MsgOptionBlocks(section(strings.Repeat("中", 1001)))},
			"invalid_blocks", "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"},
		{"blocks over 12,000 together", []slack.MsgOption{slack.MsgOptionText("x", false), slack.MsgOptionBlocks(
			section(strings.Repeat("x", 3000)), section(strings.Repeat("x", 3000)), section(strings.Repeat("x", 3000)), section(strings.Repeat("x", 3000)), section("x"))},
			"msg_blocks_too_long", ""},
		{"51 blocks", []slack.MsgOption{slack.MsgOptionText("x", false), slack.MsgOptionBlocks(many...)},
			"invalid_blocks", "[ERROR] no more than 50 items allowed [json-pointer:/blocks]"},
		{"empty section", []slack.MsgOption{slack.MsgOptionText("x", false), slack.MsgOptionBlocks(section(""))},
			"invalid_blocks", "[ERROR] must be more than 0 characters [json-pointer:/blocks/0/text/text]"},
		{"long button", []slack.MsgOption{slack.MsgOptionText("x", false), slack.MsgOptionBlocks(slack.NewActionBlock("a",
			slack.NewButtonBlockElement("approve:1", "approve:1", slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("A", 76), false, false))))},
			"invalid_blocks", "[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]"},
		{"nothing", nil, "no_text", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clock.Advance(time.Second) // within the channel's rate limit
			_, _, err := api.PostMessage(staffID, tt.opts...)
			var se slack.SlackErrorResponse
			if !errors.As(err, &se) || se.Err != tt.err {
				t.Fatalf("PostMessage = %v, want %s", err, tt.err)
			}
			if tt.message != "" && !strings.Contains(strings.Join(se.ResponseMetadata.Messages, "\n"), tt.message) {
				t.Fatalf("messages %q lack %q", se.ResponseMetadata.Messages, tt.message)
			}
		})
	}
	if n := fake.count(); n != 0 {
		t.Fatalf("the fake showed %d refused messages", n)
	}
}
