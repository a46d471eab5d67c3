package bot

import (
	"fmt"
	"strings"
	"time"

	"smsbot/broadcast"
)

// repeatField warns that the previewed text already went to the list:
// "The same text went to crew 25 min ago as #7.", or is going to it.
func repeatField(p broadcast.Preview) (Field, bool) {
	if p.Repeat == nil {
		return Field{}, false
	}
	was := p.Repeat.Broadcast
	text := fmt.Sprintf("The same text went to %s %s as #%d.", was.ListName, ago(p.Repeat.Ago), was.ID)
	if was.Status == broadcast.StatusSending {
		text = fmt.Sprintf("The same text is going to %s as #%d (started %s).", was.ListName, was.ID, ago(p.Repeat.Ago))
	}
	return Field{"⚠️ Sent before", text}, true
}

// ago writes a past duration for people: "just now", "25 min ago",
// "2 h 5 min ago", "3 h ago".
func ago(d time.Duration) string {
	m := int(d / time.Minute)
	switch {
	case m < 1:
		return "less than a minute ago"
	case m < 60:
		return fmt.Sprintf("%d min ago", m)
	case m%60 == 0:
		return fmt.Sprintf("%d h ago", m/60)
	}
	return fmt.Sprintf("%d h %d min ago", m/60, m%60)
}

// skippedField names the first members a broadcast skips: "Ada Lovelace
// (opted out), +12…04 (invalid) and 3 more: /sms skipped 7".
func skippedField(p broadcast.Preview) (Field, bool) {
	if len(p.Skipped) == 0 {
		return Field{}, false
	}
	named := make([]string, len(p.Skipped))
	for i, c := range p.Skipped {
		named[i] = fmt.Sprintf("%s (%s)", shortLabel(c), skipReason(c, false))
	}
	total := p.Audience.OptedOut + p.Audience.Invalid
	return Field{"Skipped", nameList(named, total, p.Broadcast.ID)}, true
}

// missingNames names the first recipients lacking a merge field:
// "Ada, +12…04 and 1 more: /sms skipped 7".
func missingNames(p broadcast.Preview) string {
	named := make([]string, len(p.MissingSample))
	for i, m := range p.MissingSample {
		named[i] = shortLabel(m.Contact)
	}
	return nameList(named, p.Missing, p.Broadcast.ID)
}

// nameList joins the names shown of total, pointing to /sms skipped for
// the rest.
func nameList(named []string, total int, id int64) string {
	s := strings.Join(named, ", ")
	if more := total - len(named); more > 0 {
		s += fmt.Sprintf(" and %d more: /sms skipped %d", more, id)
	}
	return s
}
