package modeltest

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"smsbot/broadcast"
	"smsbot/importer"
	"smsbot/inbound"
)

// do runs one op against a live engine (with several, the one the op's
// pick names) or the world, and updates the model when it succeeded. It
// runs on its own goroutine while the driver moves the clock; nothing
// else touches the model meanwhile.
func (w *world) do(i int, o op) {
	slot := w.slotFor(o)
	inc := w.live[slot]
	m, eng := w.model, inc.eng
	say := func(format string, args ...any) { w.log.printf("#%d %s", i, fmt.Sprintf(format, args...)) }
	if len(w.live) > 1 {
		say = func(format string, args ...any) {
			w.log.printf("#%d [engine %d] %s", i, inc.gen, fmt.Sprintf(format, args...))
		}
	}
	if i >= 0 && w.opts.Without[o.kind.String()] {
		say("%s: turned off", o.kind)
		return
	}
	switch o.kind {
	case opNumberAdd, opNumberRate:
		var cands []string
		for _, a := range w.plan.addresses {
			if s := m.senders[a]; (s != nil && s.enabled) == (o.kind == opNumberRate) {
				cands = append(cands, a)
			}
		}
		if len(cands) == 0 {
			say("%s: no number to act on", o.kind)
			return
		}
		addr := cands[o.pick%uint64(len(cands))]
		if o.kind == opNumberRate && w.opts.sabotage == "hang" {
			<-w.closing // an operation that never returns
		}
		seq, at := w.next(), w.clock.Now()
		_, _, err := eng.AddSender(w.ctx, addr, o.rate, "op")
		say("%s %s %g/s: %v", o.kind, addr, o.rate, errText(err))
		if err == nil {
			s := m.senders[addr]
			if s == nil {
				s = &sender{address: addr}
				m.senders[addr] = s
			}
			if !s.enabled {
				s.enabled, s.addedSeq = true, seq
				if n := len(s.gone); n > 0 && s.gone[n-1].to == 0 {
					s.gone[n-1].to = seq
				}
			}
			s.rates = append(s.rates, rateSpan{from: at, rate: o.rate})
		}
	case opNumberRemove:
		cands := m.enabled(w.plan.addresses)
		if len(cands) == 0 {
			say("numbers remove: no number to remove")
			return
		}
		addr := cands[o.pick%uint64(len(cands))]
		var moved int
		var err error
		if w.opts.sabotage != "ignore-remove" {
			moved, err = eng.RemoveSender(w.ctx, addr, "op")
		}
		say("numbers remove %s: moved %d: %v", addr, moved, errText(err))
		if err == nil {
			s := m.senders[addr]
			s.enabled = false
			s.gone = append(s.gone, seqSpan{from: w.next()})
		}
	case opImport:
		w.importContacts(say, o)
	case opSend, opPrepare:
		k := len(m.broadcasts)
		list, text := w.plan.lists[o.list], body(k, o.body)
		p, err := eng.Prepare(w.ctx, broadcast.Draft{List: list, Body: text, RequestedBy: "alice"})
		if err != nil {
			say("send B%d to %s: %v", k, list, errText(err))
			return
		}
		b := &bcast{k: k, id: p.Broadcast.ID, list: list, body: text, marker: marker(k)}
		m.broadcasts = append(m.broadcasts, b)
		say("send B%d (#%d) to %s: %d recipients, %d segments each", k, b.id, list, p.Recipients(), p.Segments.Segments)
		if o.kind == opSend {
			w.approve(say, eng, b)
		}
	case opApprove:
		var cands []*bcast
		for _, b := range m.broadcasts {
			if !b.approved && b.operator == "" {
				cands = append(cands, b)
			}
		}
		if len(cands) == 0 {
			say("approve: nothing waits for approval")
			return
		}
		w.approve(say, eng, cands[o.pick%uint64(len(cands))])
	case opPause, opResume, opCancel:
		var cands []*bcast
		for _, b := range m.broadcasts {
			if b.approved || o.kind == opCancel {
				cands = append(cands, b)
			}
		}
		if len(cands) == 0 {
			say("%s: no broadcast", o.kind)
			return
		}
		b := cands[o.pick%uint64(len(cands))]
		var err error
		switch o.kind {
		case opPause:
			_, err = eng.Pause(w.ctx, b.id, "op")
		case opResume:
			_, err = eng.Resume(w.ctx, b.id, "op")
		default:
			_, err = eng.Cancel(w.ctx, b.id, "op")
		}
		say("%s B%d: %v", o.kind, b.k, errText(err))
		if err == nil {
			b.operator = o.kind.String()
		}
	case opStop, opStart:
		w.text(say, o)
	case opRestart:
		w.restart(say, slot)
	case opKill:
		n := 0
		if o.pick%3 != 0 {
			n = o.n / 2
		}
		w.kill(say, slot, n, o.pick%2 == 0, o.dur)
	case opDiskFull:
		w.mu.Lock()
		w.fullUntil = w.clock.Now().Add(o.dur)
		w.mu.Unlock()
		say("disk full for %v", o.dur)
	}
}

// slotFor is the engine an op goes to: one of the live ones, by bits of
// its pick that the op's own choices do not use.
func (w *world) slotFor(o op) int {
	n := uint64(len(w.live))
	slot := int((o.pick >> 40) % n)
	for range n {
		if w.live[slot] != nil {
			break
		}
		slot = (slot + 1) % int(n)
	}
	return slot
}

// seqSpan is a stretch of the world's event order; to is 0 while open.
type seqSpan struct{ from, to int64 }

func (w *world) approve(say func(string, ...any), eng *broadcast.Engine, b *bcast) {
	members, out := map[string]bool{}, map[string]bool{}
	for ph := range w.model.lists[b.list] {
		members[ph] = true
		if w.model.contact(ph).optedOut {
			out[ph] = true
		}
	}
	seq := w.next()
	_, err := eng.Approve(w.ctx, b.id, "bob")
	say("approve B%d: %d members, %d opted out: %v", b.k, len(members), len(out), errText(err))
	if err != nil {
		return
	}
	b.approved, b.approvedSeq, b.members, b.optedOut = true, seq, members, out
	w.watch(b)
}

// importContacts imports a CSV of contacts from the pool into a list.
func (w *world) importContacts(say func(string, ...any), o op) {
	r := rand.New(rand.NewPCG(o.pick, 1))
	list := w.plan.lists[o.list]
	var csv strings.Builder
	csv.WriteString("phone,first_name\n")
	var phones []string
	for _, j := range r.Perm(len(w.plan.phones))[:o.n] {
		ph := w.plan.phones[j]
		phones = append(phones, ph)
		fmt.Fprintf(&csv, "%s,%s\n", ph, names[r.IntN(len(names))])
	}
	w.clock.enter()
	rep, err := importer.Import(w.ctx, w.wstore, list, "op", strings.NewReader(csv.String()), importer.Config{})
	w.clock.leave()
	say("import %d contacts into %s: %d imported, %d new: %v", len(phones), list, rep.Imported, rep.New, errText(err))
	if err != nil {
		return
	}
	if w.model.lists[list] == nil {
		w.model.lists[list] = map[string]bool{}
	}
	for _, ph := range phones {
		w.model.lists[list][ph] = true
		w.model.contact(ph)
	}
}

// text delivers a STOP or START from a recipient through the inbound service.
func (w *world) text(say func(string, ...any), o op) {
	ph := w.plan.phones[o.pick%uint64(len(w.plan.phones))]
	words := []string{"STOP", "stop", "Unsubscribe"}
	if o.kind == opStart {
		words = []string{"START", "unstop"}
	}
	word := words[o.pick%uint64(len(words))]
	to := w.plan.addresses[0]
	if en := w.model.enabled(w.plan.addresses); len(en) > 0 && !broadcast.IsServiceSID(en[0]) {
		to = en[0]
	}
	seq := w.next()
	var err error
	if w.opts.sabotage != "ignore-stop" {
		w.clock.enter()
		_, err = w.in.Receive(w.ctx, inbound.Text{SID: fmt.Sprintf("SM%016x%016x", o.pick, seq), From: ph, To: to, Body: word})
		w.clock.leave()
	}
	say("%s texts %q: %v", ph, word, errText(err))
	if err != nil {
		return
	}
	c := w.model.contact(ph)
	c.optedOut = o.kind == opStop
	if o.kind == opStart {
		c.startSeq = seq
	}
}

func errText(err error) string {
	if err == nil {
		return "ok"
	}
	return "error: " + err.Error()
}
