package slack

import (
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/slack-go/slack/slackevents"
)

// Slack redelivers an event it thinks was not acknowledged in time: at
// once, after a minute and after five (X-Slack-Retry-Num over HTTP,
// retry_attempt in Socket Mode), with the same event_id. seenFor covers
// that; maxSeen bounds the memory a burst of events can take.
const (
	seenFor = time.Hour
	maxSeen = 10000
)

// seenEvents remembers the IDs of the events handled lately, so that a
// redelivery is acknowledged and ignored: a file is not imported twice, a
// staff reply not texted twice. A redelivery of an event never seen (its
// first delivery was lost, or came before a restart) is handled.
type seenEvents struct {
	clock clockwork.Clock

	mu    sync.Mutex
	at    map[string]time.Time
	order []string // IDs, oldest first
}

func newSeenEvents(clock clockwork.Clock) *seenEvents {
	return &seenEvents{clock: clock, at: map[string]time.Time{}}
}

// first reports whether id is new, and remembers it.
func (s *seenEvents) first(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	for len(s.order) > 0 && (len(s.order) >= maxSeen || now.Sub(s.at[s.order[0]]) > seenFor) {
		delete(s.at, s.order[0])
		s.order = s.order[1:]
	}
	if _, seen := s.at[id]; seen {
		return false
	}
	s.at[id] = now
	s.order = append(s.order, id)
	return true
}

// eventID is the event_id of an event callback, or "".
func eventID(ev slackevents.EventsAPIEvent) string {
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		return cb.EventID
	}
	return ""
}

// redelivered reports whether ev was handled already; retry is Slack's
// count of redeliveries (0 for the first), for the log.
func (a *Adapter) redelivered(ev slackevents.EventsAPIEvent, retry int, reason string) bool {
	id := eventID(ev)
	if id == "" || a.events.first(id) {
		if retry > 0 {
			a.log.Info("handling a redelivered Slack event seen for the first time", "event_id", id, "retry", retry, "reason", reason)
		}
		return false
	}
	a.log.Info("ignored a redelivered Slack event", "event_id", id, "retry", retry, "reason", reason)
	return true
}
