package modeltest

import (
	"time"

	"smsbot/broadcast"
)

// model is what the operators did, as they know it: only operations that
// returned without error change it. The invariants compare it with what
// the provider received and what the store says.
type model struct {
	lists      map[string]map[string]bool // list → member phones
	contacts   map[string]*contact        // by phone
	senders    map[string]*sender         // by address
	broadcasts []*bcast                   // in the order they were prepared
}

type contact struct {
	phone    string
	optedOut bool
	// startSeq is the sequence number of the last START, 0 if none.
	startSeq int64
}

type sender struct {
	address string
	enabled bool
	rates   []rateSpan
	// gone are the stretches from a removal's return to the next add.
	gone []seqSpan
	// addedSeq is when the last add (or re-add) was issued.
	addedSeq int64
}

// rateSpan is a rate in effect from one virtual time on.
type rateSpan struct {
	from time.Time
	rate float64
}

// bcast is one prepared broadcast.
type bcast struct {
	k      int // the model's index, in its body as "B<k>:"
	id     int64
	list   string
	body   string
	marker string
	// Set at approval.
	approved    bool
	approvedSeq int64
	members     map[string]bool // list members when it was approved
	optedOut    map[string]bool // members opted out when it was approved
	// operator is the last pause, resume or cancel that succeeded.
	operator string
	// reports are the final progress snapshots (Done) received.
	reports []report
}

// report is one Done progress snapshot, as a subscriber saw it.
type report struct {
	gen    int
	seq    int64
	status broadcast.Status
	counts broadcast.Counts
}

func newModel() *model {
	return &model{lists: map[string]map[string]bool{}, contacts: map[string]*contact{}, senders: map[string]*sender{}}
}

func (m *model) contact(phone string) *contact {
	c := m.contacts[phone]
	if c == nil {
		c = &contact{phone: phone}
		m.contacts[phone] = c
	}
	return c
}

// enabled returns the enabled senders' addresses, in a stable order.
func (m *model) enabled(order []string) []string {
	var out []string
	for _, a := range order {
		if s := m.senders[a]; s != nil && s.enabled {
			out = append(out, a)
		}
	}
	return out
}

// approved returns the approved broadcasts.
func (m *model) approved() []*bcast {
	var out []*bcast
	for _, b := range m.broadcasts {
		if b.approved {
			out = append(out, b)
		}
	}
	return out
}

// maxRate is the highest rate the sender had at any time in [from, to).
func (s *sender) maxRate(from, to time.Time) float64 {
	best := 0.0
	for i, r := range s.rates {
		end := time.Time{}
		if i+1 < len(s.rates) {
			end = s.rates[i+1].from
		}
		if r.from.Before(to) && (end.IsZero() || end.After(from)) {
			best = max(best, r.rate)
		}
	}
	return best
}
