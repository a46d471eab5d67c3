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

// Replays: a signed HTTP request is valid while its timestamp is within
// MaxSkew of now, so at most 2 × MaxSkew after it arrives (its timestamp
// may be MaxSkew ahead). Its signature is remembered that long, and so is
// a Socket Mode envelope ID. maxRequests bounds the memory: more than that
// many verified requests in ten minutes (80 a second) is not smsbot's
// traffic.
const (
	replayWindow = 2 * MaxSkew
	maxRequests  = 50000
)

// seen remembers IDs (event IDs, request signatures, envelope IDs) for
// ttl, at most max of them, so that a second delivery is acknowledged and
// ignored: a file is not imported twice, a staff reply not texted twice.
// An ID forgotten (after ttl, or pushed out by max newer ones) is new
// again: a redelivery of an event never seen (its first delivery was
// lost, or came before a restart) is handled.
type seen struct {
	clock clockwork.Clock
	ttl   time.Duration
	max   int

	mu    sync.Mutex
	at    map[string]time.Time
	order []string // IDs, oldest first
}

func newSeen(clock clockwork.Clock, ttl time.Duration, max int) *seen {
	return &seen{clock: clock, ttl: ttl, max: max, at: map[string]time.Time{}}
}

// first reports whether id is new, and remembers it.
func (s *seen) first(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	for len(s.order) > 0 && (len(s.order) >= s.max || now.Sub(s.at[s.order[0]]) > s.ttl) {
		delete(s.at, s.order[0])
		s.order = s.order[1:]
	}
	if _, ok := s.at[id]; ok {
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
