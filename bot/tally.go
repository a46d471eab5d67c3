package bot

import (
	"fmt"
	"strings"
	"time"

	"smsbot/broadcast"
)

// tallyBar is how many cells a tally's bars have.
const tallyBar = 12

// tallyMessage shows a poll's answers: a bar, count and share per
// option, who has not answered, the closing time, and its buttons.
func (r *Router) tallyMessage(t broadcast.Tally, listName string) Message {
	p := t.Poll
	var lines []string
	width := 0
	labels := make([]string, len(p.Question.Options))
	for i, o := range p.Question.Options {
		// In a code span a backtick would end it early.
		labels[i] = strings.ReplaceAll(oneLine(o, 40), "`", "'")
		width = max(width, len([]rune(labels[i])))
	}
	for i := range p.Question.Options {
		n := t.Counts[i]
		share := 0.0
		if t.Answered > 0 {
			share = float64(n) / float64(t.Answered)
		}
		label := labels[i]
		pad := strings.Repeat(" ", width-len([]rune(label)))
		lines = append(lines, fmt.Sprintf("`%d) %s%s %s` %d · %.0f%%", i+1, label, pad, tallyCells(share), n, share*100))
	}
	answered := fmt.Sprintf("%d of %d", t.Answered, t.Recipients)
	if t.Recipients > 0 {
		answered += fmt.Sprintf(" (%.0f%%)", 100*float64(min(t.Answered, t.Recipients))/float64(t.Recipients))
	}
	fields := []Field{{"Answered", answered}, {"Not answered", fmt.Sprintf("%d", t.Unanswered)}}
	if t.Recipients == 0 && t.Answered == 0 {
		fields = []Field{{"Answered", "none yet: the texts are going out"}}
	}
	title := fmt.Sprintf("📊 Poll #%d to %s: %s", p.ID, listName, oneLine(p.Question.Text, 120))
	buttons := []Button{{Label: "Export", Action: action("pexport", p.ID)}}
	switch {
	case p.ClosedAt != nil:
		closed := "Closed " + r.when(*p.ClosedAt)
		if p.ClosedBy != "" && p.ClosedBy != closingTimeActor {
			closed += " by " + p.ClosedBy
		}
		fields = append(fields, Field{"Status", closed + "; later answers are relayed as texts"})
		title += " (closed)"
	default:
		closes := "open, no closing time"
		if c := p.Question.ClosesAt; c != nil {
			closes = "open until " + r.when(*c)
		}
		fields = append(fields, Field{"Status", closes})
		buttons = append([]Button{
			{Label: "Close now", Action: action("pclose", p.ID), Style: Danger},
			{Label: "Remind non-responders", Action: action("premind", p.ID)},
		}, buttons...)
	}
	fields = append(fields, Field{"Follow up", fmt.Sprintf("`/sms send poll:%d=1 <message>` texts those who answered 1; `poll:%d=none` those who have not", p.ID, p.ID)})
	return Message{Title: title, Text: strings.Join(lines, "\n"), Fields: fields, Buttons: buttons}
}

// tallyCells draws share (0 to 1) in tallyBar cells.
func tallyCells(share float64) string {
	full := int(share*tallyBar + 0.5)
	full = min(max(full, 0), tallyBar)
	return strings.Repeat("█", full) + strings.Repeat("░", tallyBar-full)
}

// closingTimeActor closes a poll at its closing time.
const closingTimeActor = "smsbot (closing time)"

// due reports whether an open poll's closing time has come at now.
func due(p broadcast.Poll, now time.Time) bool {
	return p.ClosedAt == nil && p.Question.ClosesAt != nil && !now.Before(*p.Question.ClosesAt)
}

// fingerprint is what a tally message shows, to skip edits that would
// change nothing.
func fingerprint(m Message) string {
	var b strings.Builder
	b.WriteString(m.Title + "\n" + m.Text)
	for _, f := range m.Fields {
		b.WriteString("\n" + f.Label + "=" + f.Value)
	}
	for _, bt := range m.Buttons {
		b.WriteString("\n" + bt.Action)
	}
	return b.String()
}
