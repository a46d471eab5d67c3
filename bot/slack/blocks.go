package slack

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"smsbot/bot"
)

// Block Kit limits: a section's text is at most 3,000 characters, a
// section has at most 10 fields of 2,000.
const (
	maxSectionText = 3000
	maxFields      = 10
	maxFieldText   = 2000
)

// Blocks renders a router message as Block Kit: the title in bold, the
// text, the fields, and the buttons in an actions block whose action IDs
// are the router's actions.
func Blocks(m bot.Message) []slack.Block {
	var blocks []slack.Block
	if m.Title != "" {
		blocks = append(blocks, section("*"+escape(m.Title)+"*"))
	}
	if m.Text != "" {
		blocks = append(blocks, section(escape(m.Text)))
	}
	var fields []*slack.TextBlockObject
	for _, f := range m.Fields {
		text := clip(fmt.Sprintf("*%s*\n%s", escape(f.Label), escape(f.Value)), maxFieldText)
		fields = append(fields, slack.NewTextBlockObject(slack.MarkdownType, text, false, false))
	}
	for len(fields) > 0 {
		n := min(len(fields), maxFields)
		blocks = append(blocks, slack.NewSectionBlock(nil, fields[:n], nil))
		fields = fields[n:]
	}
	if len(m.Buttons) > 0 {
		var elems []slack.BlockElement
		for _, b := range m.Buttons {
			btn := slack.NewButtonBlockElement(b.Action, b.Action, slack.NewTextBlockObject(slack.PlainTextType, b.Label, false, false))
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
