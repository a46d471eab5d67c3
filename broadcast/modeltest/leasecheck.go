package modeltest

import (
	"fmt"
	"sort"
	"strings"
)

// sampleLeases is invariant 7, sampled at every virtual instant the
// driver moves the clock from (the world is quiet then): no two engines
// trust a lease on the same sender. A killed engine counts until its
// trust runs out, since a frozen process that woke would still trust it
// (SIGSTOP): the lease's margin must keep its trust shorter than the
// database's expiry, after which another engine may take the lease. Only
// with several engines: on SQLite a lease is granted at once (the file's
// lock already makes one process the only one), and a killed engine is
// gone for good.
func (w *world) sampleLeases() {
	if len(w.live) < 2 {
		return
	}
	now := w.clock.Now()
	w.mu.Lock()
	var all []*incarnation
	states := map[*incarnation]string{}
	for _, inc := range append(append([]*incarnation(nil), w.past...), w.live...) {
		if inc != nil && inc.state != "closed" {
			all = append(all, inc)
			states[inc] = inc.state
		}
	}
	w.mu.Unlock()
	holders := map[string][]*incarnation{}
	for _, inc := range all {
		if inc.life.state() == buried {
			continue
		}
		for _, h := range inc.keeper.Held() {
			if strings.HasPrefix(h.Name, "sender:") && now.Before(h.TrustedUntil) {
				holders[h.Name] = append(holders[h.Name], inc)
			}
		}
	}
	names := make([]string, 0, len(holders))
	for n := range holders {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		hs := holders[name]
		if len(hs) < 2 || w.leaseIn[name] {
			continue
		}
		w.leaseIn[name] = true
		var desc []string
		for _, inc := range hs {
			for _, h := range inc.keeper.Held() {
				if h.Name == name {
					desc = append(desc, fmt.Sprintf("engine %d (%s) token %d trusted until %s", inc.gen, states[inc], h.Token, at(h.TrustedUntil, w.plan.start)))
				}
			}
		}
		w.violate(InvLease, "at %s two engines trust the lease %s: %s", w.since(), name, strings.Join(desc, "; "))
	}
}
