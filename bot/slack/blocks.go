package slack

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"smsbot/bot"
)

// Slack's limits on a message (docs.slack.dev: chat.postMessage, Block
// Kit blocks and elements), measured with size. A message has at most 50
// blocks; a section's text is at most 3,000, a section has at most 10
// fields of 2,000; an actions block has at most 25 buttons, whose labels
// are at most 75. Slack also refuses blocks that are too long together
// (msg_blocks_too_long) at an undocumented total, observed near 13,000
// characters; the markdown block documents 12,000, which Blocks keeps
// to. The text field is at most 40,000; Fallback keeps it to 3,000, which
// notifications show only the start of anyway.
const (
	maxBlocks      = 50
	maxSectionText = 3000
	maxFields      = 10
	maxFieldText   = 2000
	maxFieldLabel  = 300
	maxButtons     = 25
	maxButtonText  = 75
	maxBlocksText  = 12000
	maxFallback    = 3000
)

// Blocks renders a router message as Block Kit: the title in bold, the
// text (in several sections if it is long), the fields, and the buttons
// in an actions block whose action IDs are the router's actions. Every
// text is escaped (see escaper) and then fitted to Slack's limits: the
// buttons first, then the title, the text and the fields. A text that does
// not fit ends in "…", and fields that do not fit are counted in a last
// one.
func Blocks(m bot.Message) []slack.Block {
	left := maxBlocksText
	var elems []slack.BlockElement
	for _, b := range m.Buttons[:min(len(m.Buttons), maxButtons)] {
		label := fitPlain(b.Label, maxButtonText)
		left -= size(label)
		btn := slack.NewButtonBlockElement(b.Action, b.Action, slack.NewTextBlockObject(slack.PlainTextType, label, false, false))
		switch b.Style {
		case bot.Primary:
			btn.Style = slack.StylePrimary
		case bot.Danger:
			btn.Style = slack.StyleDanger
		}
		elems = append(elems, btn)
	}
	rooms := maxBlocks // blocks left
	if len(elems) > 0 {
		rooms--
	}
	var blocks []slack.Block
	if m.Title != "" {
		title := "*" + fit(m.Title, maxSectionText-2) + "*"
		blocks = append(blocks, section(title))
		left -= size(title)
		rooms--
	}
	fields := make([]string, len(m.Fields))
	need := 0
	for i, f := range m.Fields {
		fields[i] = field(f.Label, f.Value)
		need += size(fields[i])
	}
	if m.Text != "" {
		room := max(left-need, left/2)
		most := rooms
		if len(fields) > 0 {
			most--
		}
		for _, part := range pieces(m.Text, maxSectionText, room, most) {
			blocks = append(blocks, section(part))
			left -= size(part)
			rooms--
		}
	}
	blocks = append(blocks, fieldSections(fields, left, rooms)...)
	if len(elems) > 0 {
		blocks = append(blocks, slack.NewActionBlock("actions", elems...))
	}
	return blocks
}

// field renders a field as "*label*\nvalue", within a field's limit.
func field(label, value string) string {
	l := "*" + fit(label, maxFieldLabel) + "*\n"
	return l + fit(value, maxFieldText-size(l))
}

// fieldSections puts fields in sections of ten, while they fit in left
// (size) and rooms (blocks); the fields left out are counted in a last one.
func fieldSections(fields []string, left, rooms int) []slack.Block {
	const reserve = 64 // room for the count of fields left out
	slots := rooms * maxFields
	var shown []string
	for i, f := range fields {
		fits := len(shown)+2 <= slots && size(f) <= left-reserve
		if i == len(fields)-1 {
			fits = len(shown)+1 <= slots && size(f) <= left
		}
		if !fits {
			if len(shown) < slots {
				shown = append(shown, field("…", fmt.Sprintf("%d more not shown", len(fields)-i)))
			}
			break
		}
		shown = append(shown, f)
		left -= size(f)
	}
	var blocks []slack.Block
	for len(shown) > 0 {
		n := min(len(shown), maxFields)
		objs := make([]*slack.TextBlockObject, n)
		for i, f := range shown[:n] {
			objs[i] = mrkdwn(f)
		}
		blocks = append(blocks, slack.NewSectionBlock(nil, objs, nil))
		shown = shown[n:]
	}
	return blocks
}

// Fallback is the message's text field: its title and text, escaped like
// the blocks. Slack shows it in notifications and where blocks cannot be
// shown, and parses it for mentions and links as it does the blocks.
func Fallback(m bot.Message) string {
	var parts []string
	if m.Title != "" {
		parts = append(parts, m.Title)
	}
	if m.Text != "" {
		parts = append(parts, m.Text)
	}
	return fit(strings.Join(parts, "\n"), maxFallback)
}

// section is a section block of text, already escaped and fitted.
func section(text string) slack.Block {
	return slack.NewSectionBlock(mrkdwn(text), nil, nil)
}

// mrkdwn is a mrkdwn text object with verbatim set: Slack neither turns
// URLs into links nor parses names into mentions or channels.
func mrkdwn(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, text, false, true)
}
