package broadcast

import (
	"sync"
	"time"
)

// Progress is a snapshot of one broadcast, emitted whenever its outbox
// changes. Done is set exactly once, on the last snapshot, when no text of
// the broadcast is queued or in flight any more.
type Progress struct {
	Broadcast Broadcast
	Counts    Counts
	// ETA is the time left, from the outbox's open rows, at the senders'
	// rates or at what the account's cap on calls in flight lets them
	// reach. It is zero unless the broadcast is sending.
	ETA  time.Duration
	Done bool
	// Elapsed is the time since approval.
	Elapsed time.Duration
	// Note says why the engine paused the broadcast by itself, if it did.
	Note string
	// Preparing is set while the outbox is still being written: Counts
	// cover the rows written so far.
	Preparing bool
	// Stalled says why a sending broadcast sends nothing for now, when
	// the engine cannot record outcomes; it resumes by itself.
	Stalled string
	// Throttled says that the provider is refusing calls beyond a cap
	// lower than configured, and how many go at once meanwhile.
	Throttled string
}

// Fraction is the share of texts settled (sent, failed or skipped), 0–1.
func (p Progress) Fraction() float64 {
	if p.Counts.Total == 0 {
		if p.Done {
			return 1
		}
		return 0 // the outbox is still being written
	}
	return float64(p.Counts.Total-p.Counts.Remaining()) / float64(p.Counts.Total)
}

// hub fans progress out to subscribers. Each subscriber has a one-slot
// channel that always holds the newest snapshot: a slow reader skips
// intermediate snapshots but never misses the last one.
type hub struct {
	mu   sync.Mutex
	subs map[int64]map[*subscription]struct{} // broadcast ID → subs
}

type subscription struct {
	ch chan Progress
}

func newHub() *hub { return &hub{subs: map[int64]map[*subscription]struct{}{}} }

// subscribe returns a channel of snapshots of broadcast id, primed with
// first when it is not nil, and a function that ends the subscription.
func (h *hub) subscribe(id int64, first *Progress) (<-chan Progress, func()) {
	s := &subscription{ch: make(chan Progress, 1)}
	if first != nil {
		s.ch <- *first
	}
	h.mu.Lock()
	if h.subs[id] == nil {
		h.subs[id] = map[*subscription]struct{}{}
	}
	h.subs[id][s] = struct{}{}
	h.mu.Unlock()
	return s.ch, func() {
		h.mu.Lock()
		delete(h.subs[id], s)
		h.mu.Unlock()
	}
}

func (h *hub) publish(p Progress) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs[p.Broadcast.ID] {
		// Replace a snapshot nobody has read yet.
		select {
		case <-s.ch:
		default:
		}
		s.ch <- p
	}
}
