package slack

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"smsbot/bot"
)

// Block Kit limits: a message has at most 50 blocks; a section's text is
// at most 3,000 characters, a section has at most 10 fields of 2,000; an
// actions block has at most 25 buttons, whose labels are at most 75.
const (
	maxBlocks      = 50
	maxSectionText = 3000
	maxFields      = 10
	maxFieldText   = 2000
	maxButtons     = 25
	maxButtonText  = 75
)

// Blocks renders a router message as Block Kit: the title in bold, the
// text, the fields, and the buttons in an actions block whose action IDs
// are the router's actions. What does not fit in Slack's limits is cut:
// texts end in "…", and fields past the last block that fits are counted
// in a last one.
func Blocks(m bot.Message) []slack.Block {
	var blocks []slack.Block
	if m.Title != "" {
		blocks = append(blocks, section("*"+escape(m.Title)+"*"))
	}
	if m.Text != "" {
		blocks = append(blocks, section(escape(m.Text)))
	}
	buttons := m.Buttons[:min(len(m.Buttons), maxButtons)]
	room := maxBlocks - len(blocks)
	if len(buttons) > 0 {
		room--
	}
	fields := m.Fields
	if len(fields) > room*maxFields {
		cut := room*maxFields - 1
		fields = append(fields[:cut:cut], bot.Field{Label: "…", Value: fmt.Sprintf("%d more not shown", len(m.Fields)-cut)})
	}
	var objs []*slack.TextBlockObject
	for _, f := range fields {
		text := clip(fmt.Sprintf("*%s*\n%s", escape(f.Label), escape(f.Value)), maxFieldText)
		objs = append(objs, slack.NewTextBlockObject(slack.MarkdownType, text, false, false))
	}
	for len(objs) > 0 {
		n := min(len(objs), maxFields)
		blocks = append(blocks, slack.NewSectionBlock(nil, objs[:n], nil))
		objs = objs[n:]
	}
	if len(buttons) > 0 {
		var elems []slack.BlockElement
		for _, b := range buttons {
			label := slack.NewTextBlockObject(slack.PlainTextType, clip(b.Label, maxButtonText), false, false)
			btn := slack.NewButtonBlockElement(b.Action, b.Action, label)
			switch b.Style {
			case bot.Primary:
				btn.Style = slack.StylePrimary
			case bot.Danger:
				btn.Style = slack.StyleDanger
			}
			elems = append(elems, btn)
		}
		blocks = append(blocks, slack.NewActionBlock("actions", elems...))
	}
	return blocks
}

// Fallback is the plain text of a message, shown in notifications.
func Fallback(m bot.Message) string {
	parts := []string{}
	if m.Title != "" {
		parts = append(parts, m.Title)
	}
	if m.Text != "" {
		parts = append(parts, m.Text)
	}
	return clip(strings.Join(parts, "\n"), maxSectionText)
}

func section(text string) slack.Block {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, clip(text, maxSectionText), false, false), nil, nil)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// escape keeps Slack from reading text as mentions or links (<!channel>,
// <@U123>, <https://…|…>): those all start with "<". A ">" is left alone so
// quoted lines still render as quotes.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;").Replace(s)
}
