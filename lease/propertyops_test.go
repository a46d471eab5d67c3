package lease_test

import (
	"errors"
	"fmt"
	"time"

	"smsbot/lease"
)

// step plays one random operation.
func (w *world) step(step int) {
	i := w.rng.IntN(len(w.procs))
	p := w.procs[i]
	name := w.names[w.rng.IntN(len(w.names))]
	switch r := w.rng.IntN(100); {
	case r < 28:
		if !p.frozen {
			w.acquire(step, i, name)
		}
	case r < 50:
		d := time.Duration(1+w.rng.IntN(2000)) * time.Millisecond
		switch w.rng.IntN(6) {
		case 0:
			d = time.Duration(1+w.rng.IntN(12000)) * time.Millisecond
		case 1, 2:
			d = w.toBoundary(d)
		}
		w.t.Logf("step %d: advance %v", step, d)
		w.clock.Advance(d)
		for _, p := range w.procs {
			if !p.frozen {
				w.catchUp(p)
			}
		}
	case r < 68:
		if !p.frozen {
			w.send(step, i, name)
		}
	case r < 76:
		if l := w.latest[i][name]; !p.frozen && l != nil && w.senders[name] != 0 {
			want := l.Token == w.last[name]
			w.t.Logf("step %d: %s settles under %s token %d", step, p.owner, name, l.Token)
			if len(w.flight[w.senders[name]]) > 0 && w.settle(name, l.Token) != want {
				w.t.Errorf("step %d: %s settling under token %d of %s (last %d): settled %v", step, p.owner, l.Token, name, w.last[name], !want)
			}
		}
	case r < 84:
		if !p.frozen {
			w.release(step, i, name)
		}
	case r < 96:
		p.frozen = !p.frozen
		w.count[fmt.Sprintf("frozen %v", p.frozen)]++
		w.t.Logf("step %d: %s frozen %v", step, p.owner, p.frozen)
		if !p.frozen {
			w.catchUp(p)
		}
	default:
		w.restart(step, i, w.rng.IntN(2) == 0)
	}
}

// acquire has replica i try to take name.
func (w *world) acquire(step, i int, name string) {
	p := w.procs[i]
	var had bool
	for _, h := range p.k.Held() {
		had = had || h.Name == name
	}
	r, taken := w.rows()[name]
	made := p.clock.made()
	l, err := p.k.TryAcquire(w.ctx, name)
	w.t.Logf("step %d: %s acquires %s: %v", step, p.owner, name, l != nil)
	if err != nil {
		w.t.Fatalf("step %d: %s acquires %s: %v", step, p.owner, name, err)
	}
	switch free := !w.pg || !taken || r.Owner == p.owner; {
	case had:
		if l != w.latest[i][name] {
			w.t.Fatalf("step %d: %s acquiring its held %s got another Lease", step, p.owner, name)
		}
		return
	case (l != nil) != free:
		w.t.Fatalf("step %d: %s acquiring %s (the store has %+v): got %+v", step, p.owner, name, r, l)
	case l == nil:
		w.count["refused"]++
		return
	}
	w.count["acquired"]++
	if l.Token != w.last[name]+1 {
		w.t.Fatalf("step %d: %s acquired %s with token %d after token %d", step, p.owner, name, l.Token, w.last[name])
	}
	w.last[name] = l.Token
	w.latest[i][name] = l
	w.all = append(w.all, l)
	w.owner[l] = p.owner
	p.clock.waitAtLeast(w.t, made+1) // Run looks at its new lease
}

// send has replica i claim a row under its last lease of name, as a
// sender does: it must succeed just when its token is the last one and
// the lease is unexpired; half the rows claimed are settled at once.
func (w *world) send(step, i int, name string) {
	l := w.latest[i][name]
	if l == nil || w.senders[name] == 0 {
		return
	}
	_, unexpired := w.rows()[name]
	want := l.Token == w.last[name] && unexpired
	got := w.claim(name, l.Token)
	w.count[fmt.Sprintf("claim under %s lease, claimed %v", map[bool]string{true: "last", false: "stale"}[want], got)]++
	w.t.Logf("step %d: %s claims under %s token %d: %v", step, w.procs[i].owner, name, l.Token, got)
	if got != want {
		if queued, err := w.st.NextQueued(w.ctx, w.senders[name], w.clock.Now(), 1); err != nil || len(queued) == 0 {
			return // nothing left to claim
		}
		w.t.Errorf("step %d: %s claiming under token %d of %s (last %d, unexpired %v): claimed %v",
			step, w.procs[i].owner, l.Token, name, w.last[name], unexpired, got)
		return
	}
	if got && w.rng.IntN(2) == 0 && !w.settle(name, l.Token) {
		w.t.Errorf("step %d: %s could not settle the row it claimed under %s token %d", step, w.procs[i].owner, name, l.Token)
	}
}

// release has replica i give back its last lease of name.
func (w *world) release(step, i int, name string) {
	p := w.procs[i]
	l := w.latest[i][name]
	if l == nil {
		return
	}
	var held bool
	for _, h := range p.k.Held() {
		held = held || (h.Name == name && h.Token == l.Token)
	}
	before := w.rows()[name]
	p.k.Release(w.ctx, l)
	w.count[fmt.Sprintf("release, held %v", held)]++
	w.t.Logf("step %d: %s releases %s token %d (held %v)", step, p.owner, name, l.Token, held)
	if l.Trusted(w.clock.Now()) {
		w.t.Errorf("step %d: %s still trusts %s after releasing it", step, p.owner, name)
	}
	after, listed := w.rows()[name]
	if held && listed {
		w.t.Errorf("step %d: %s released %s, still listed: %+v", step, p.owner, name, after)
	}
	if !held && after != before {
		w.t.Errorf("step %d: %s released a lost %s: %+v became %+v", step, p.owner, name, before, after)
	}
}

// restart stops replica i, killed or cleanly, and starts it again under
// the same owner name.
func (w *world) restart(step, i int, kill bool) {
	p := w.procs[i]
	held := p.k.Held()
	kill = kill || p.frozen // a frozen process can only be killed
	w.count[fmt.Sprintf("restart, killed %v", kill)]++
	w.t.Logf("step %d: %s restarts (killed %v, holding %d)", step, p.owner, kill, len(held))
	p.st.dead.Store(kill)
	p.stop()
	if l, err := p.k.TryAcquire(w.ctx, w.names[0]); l != nil || !errors.Is(err, lease.ErrClosed) {
		w.t.Errorf("step %d: TryAcquire after Run ended: %+v, %v", step, l, err)
	}
	rows := w.rows()
	for _, h := range held {
		r, ok := rows[h.Name]
		if kill && !p.frozen && (!ok || r.Token != h.Token) || !kill && ok {
			w.t.Errorf("step %d: %s (killed %v) held %s token %d; after it stopped the store has %+v", step, p.owner, kill, h.Name, h.Token, r)
		}
	}
	w.start(i)
}

// toBoundary returns how long until just before, at or just after a
// random instant where something changes (a lease's trust ends, a row
// expires), or d if none is ahead.
func (w *world) toBoundary(d time.Duration) time.Duration {
	now := w.clock.Now()
	var at []time.Time
	for _, l := range w.all {
		if l.Trusted(now) {
			at = append(at, l.TrustedUntil())
		}
	}
	for _, r := range w.rows() {
		at = append(at, r.ExpiresAt)
	}
	if len(at) == 0 {
		return d
	}
	to := at[w.rng.IntN(len(at))].Add(time.Duration(w.rng.IntN(3)-1) * time.Millisecond).Sub(now)
	if to <= 0 {
		return d
	}
	return to
}
