package bot

import (
	"fmt"
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
