package modeltest

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"smsbot/broadcast"
)

// rateSlack widens the pacer's bound for requests stamped a little after
// their pacer let them go (the driver may move the clock in between when
// it misjudges the engine as quiet).
const rateSlack = 20 * time.Millisecond

// checkRates is invariant 2: over any 1 s window of create requests, a
// sender's segments stay within what its Pacer allows, rate·(1 s +
// tolerance) plus the segments of one message, at the highest rate it had
// around that window.
func (w *world) checkRates() {
	w.mu.Lock()
	bySender := map[string][]attempt{}
	for _, a := range w.attempts {
		bySender[a.sender] = append(bySender[a.sender], a)
	}
	w.mu.Unlock()
	for _, addr := range sortedKeys(bySender) {
		s := w.model.senders[addr]
		if s == nil || len(s.rates) == 0 {
			w.violate(InvRate, "%s sent without ever being added", addr)
			continue
		}
		as := bySender[addr]
		sort.SliceStable(as, func(i, j int) bool { return as[i].at.Before(as[j].at) })
		worst, worstOver := "", 0.0
		for i := range as {
			end := as[i].at.Add(time.Second)
			rate := s.maxRate(as[i].at.Add(-time.Second), end.Add(time.Second))
			segs, gens := 0, map[int]bool{}
			j := i
			for ; j < len(as) && as[j].at.Before(end); j++ {
				segs += as[j].segments
				gens[as[j].gen] = true
			}
			bound := rate*(time.Second+broadcast.DefaultTolerance+rateSlack).Seconds() + float64(as[j-1].segments)
			if len(gens) > 1 && w.opts.Without["rate across restarts"] {
				continue
			}
			if over := float64(segs) - bound; over > 0 && over > worstOver {
				across := ""
				if len(gens) > 1 {
					across = fmt.Sprintf(", by %d engines (across a restart)", len(gens))
				}
				worstOver = over
				worst = fmt.Sprintf("%s sent %d segments in the second from %s at %g/s (at most %.1f allowed)%s: %s",
					addr, segs, at(as[i].at, w.plan.start), rate, bound, across, describeAttempts(as[i:j], w.plan.start))
			}
		}
		if worst != "" {
			w.violate(InvRate, "%s", worst)
		}
	}
}

// checkRemoved is invariant 6: no create request from a number between
// its removal's return and its next add.
func (w *world) checkRemoved() {
	w.mu.Lock()
	defer w.mu.Unlock()
	type key struct {
		addr string
		span int
	}
	late := map[key][]attempt{}
	for _, a := range w.attempts {
		s := w.model.senders[a.sender]
		if s == nil {
			continue
		}
		for i, g := range s.gone {
			if a.seq > g.from && (g.to == 0 || a.seq < g.to) {
				late[key{a.sender, i}] = append(late[key{a.sender, i}], a)
			}
		}
	}
	keys := make([]key, 0, len(late))
	for k := range late {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].addr < keys[j].addr || keys[i].addr == keys[j].addr && keys[i].span < keys[j].span
	})
	for _, k := range keys {
		as := late[k]
		w.broken = append(w.broken, Violation{InvRemoved, fmt.Sprintf("%s sent %d text(s) after its removal returned, the first to %s at %s (engine %d)",
			k.addr, len(as), as[0].to, at(as[0].at, w.plan.start), as[0].gen)})
	}
}

func describeAttempts(as []attempt, start time.Time) string {
	var parts []string
	for _, a := range as {
		k := strings.SplitN(a.body, ":", 2)[0]
		parts = append(parts, fmt.Sprintf("%s engine %d %s to %s %d seg", at(a.at, start), a.gen, k, a.to, a.segments))
	}
	return strings.Join(parts, ", ")
}
