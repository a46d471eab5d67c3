package broadcast

import "sort"

// Balancer spreads contacts over the enabled senders. It knows how many
// contacts each enabled sender already has and always picks the
// least-loaded one (ties go to the oldest sender), so contacts that arrive
// together end up with max − min ≤ 1 per sender when loads start even.
//
// A Balancer is not safe for concurrent use.
type Balancer struct {
	ids   []int64
	loads []int
	index map[int64]int
}

// NewBalancer returns a Balancer over the enabled senders in loads (sender
// ID → number of contacts assigned to it).
func NewBalancer(loads map[int64]int) *Balancer {
	b := &Balancer{index: make(map[int64]int, len(loads))}
	for id := range loads {
		b.ids = append(b.ids, id)
	}
	sort.Slice(b.ids, func(i, j int) bool { return b.ids[i] < b.ids[j] })
	b.loads = make([]int, len(b.ids))
	for i, id := range b.ids {
		b.loads[i] = loads[id]
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

// Next returns the least-loaded sender and counts one more contact on it.
// It returns 0 when there are no senders.
func (b *Balancer) Next() int64 {
	best := -1
	for i, l := range b.loads {
		if best < 0 || l < b.loads[best] {
			best = i
		}
	}
	if best < 0 {
		return 0
	}
	b.loads[best]++
	return b.ids[best]
}

// Loads returns a copy of the current loads.
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
// enabled; otherwise it gets the least-loaded one, and moved reports that
// the sticky assignment must be written.
func (b *Balancer) Place(current int64) (sender int64, moved bool) {
	if current != 0 && b.Enabled(current) {
		return current, false
	}
	return b.Next(), true
}
