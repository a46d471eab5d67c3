package console

import (
	"slices"

	"smsbot/bot"
)

// maxEdited bounds how many messages with buttons the console remembers
// to print their edits short; past it, it forgets them all (an edit of a
// forgotten one is printed whole).
const maxEdited = 256

// edited keeps the last version printed of each message with buttons,
// so that an edit that keeps its title and buttons (a poll's tally as
// answers come, every ProgressEvery at most) is printed short: see
// shortEdit.
type edited map[bot.Ref]bot.Message

// print returns what to print for m, shown as ref: m whole, or, for an
// edit of a message printed before with the same title and buttons, its
// title, text and the fields that changed, without the buttons (those
// printed above still work). It remembers m for the next edit.
func (e *edited) print(ref bot.Ref, m bot.Message, update, tty bool) string {
	prev, ok := (*e)[ref]
	switch {
	case len(m.Buttons) == 0:
		delete(*e, ref)
	case ok || len(*e) < maxEdited:
		(*e)[ref] = m
	default:
		*e = edited{ref: m}
	}
	if update && ok && prev.Title == m.Title && m.Title != "" && slices.Equal(prev.Buttons, m.Buttons) {
		return render(shortEdit(prev, m), tty)
	}
	return render(m, tty)
}

// shortEdit is m without its buttons and without the fields prev showed
// alike.
func shortEdit(prev, m bot.Message) bot.Message {
	short := bot.Message{Title: m.Title, Text: m.Text}
	for _, f := range m.Fields {
		if !slices.Contains(prev.Fields, f) {
			short.Fields = append(short.Fields, f)
		}
	}
	return short
}
