package broadcast

import "sort"

// Load is what a Balancer knows of one enabled sender.
type Load struct {
	Contacts int     // contacts assigned to it
	Rate     float64 // its rate in segments per second
}

// Balancer spreads contacts over the enabled senders by rate. A sender's
// load is its assigned contacts per segment/s of its rate, which is how
// long a broadcast to all of them takes: a new contact goes to the sender
// whose load would be least with it (ties go to the oldest sender). With
// numbers at 1, 3 and 100 segments/s, 96% of new contacts go to the
// fastest; with equal rates, contacts that arrive together end up with
// max − min ≤ 1 per sender when loads start even.
//
// A Balancer is not safe for concurrent use.
type Balancer struct {
	ids   []int64
	loads []int
	rates []float64
	index map[int64]int
}

// NewBalancer returns a Balancer over the enabled senders in loads (sender
// ID → its contacts and rate). A rate ≤ 0 counts as 1.
func NewBalancer(loads map[int64]Load) *Balancer {
	b := &Balancer{index: make(map[int64]int, len(loads))}
	for id := range loads {
		b.ids = append(b.ids, id)
	}
	sort.Slice(b.ids, func(i, j int) bool { return b.ids[i] < b.ids[j] })
	b.loads = make([]int, len(b.ids))
	b.rates = make([]float64, len(b.ids))
	for i, id := range b.ids {
		b.loads[i] = loads[id].Contacts
		b.rates[i] = loads[id].Rate
		if b.rates[i] <= 0 {
			b.rates[i] = 1
		}
		b.index[id] = i
	}
	return b
}

// Empty reports whether there is no enabled sender to assign to.
func (b *Balancer) Empty() bool { return len(b.ids) == 0 }

// Enabled reports whether id is one of the senders contacts may stay on.
func (b *Balancer) Enabled(id int64) bool {
	_, ok := b.index[id]
	return ok
}

// Next returns the sender whose load would be least with one more contact,
// and counts it there. It returns 0 when there are no senders.
func (b *Balancer) Next() int64 {
	best := -1
	for i, l := range b.loads {
		// (l+1)/rate < (bl+1)/brate, without dividing.
		if best < 0 || float64(l+1)*b.rates[best] < float64(b.loads[best]+1)*b.rates[i] {
			best = i
		}
	}
	if best < 0 {
		return 0
	}
	b.loads[best]++
	return b.ids[best]
}

// Loads returns a copy of the current contact counts.
func (b *Balancer) Loads() map[int64]int {
	m := make(map[int64]int, len(b.ids))
	for i, id := range b.ids {
		m[id] = b.loads[i]
	}
	return m
}

// Assignment pairs a contact with the sender it must be texted from.
type Assignment struct {
	ContactID int64
	SenderID  int64
}

// Place returns the sender for a contact whose current sender is current
// (0 when it has none). A contact keeps its sender while that sender is
// enabled; otherwise it gets the least-loaded one (see Balancer), and moved reports that
// the sticky assignment must be written.
func (b *Balancer) Place(current int64) (sender int64, moved bool) {
	if current != 0 && b.Enabled(current) {
		return current, false
	}
	return b.Next(), true
}
