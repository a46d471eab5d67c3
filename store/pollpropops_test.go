package store_test

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"smsbot/broadcast"
	"smsbot/inbound"
	"smsbot/poll"
)

// recipient is whether an outbox row of a poll in status s lets its
// contact answer it.
func recipient(s broadcast.MessageStatus) bool {
	return s == broadcast.MsgSent || s == broadcast.MsgDelivered
}

// contactID is the crew member with phone's ID, or 0.
func (w *pworld) contactID(phone string) int64 {
	for _, c := range w.crew {
		if c.Phone == phone {
			return c.ID
		}
	}
	return 0
}

// reach is what the model says x is to the polls now: the newest poll
// its contact got and the option it matches (0: not an answer), late if
// that poll had closed when x was sent, or no poll. Media and keywords other than START's YES reach none, and a
// START that answers nothing is no reply to the poll.
func (w *pworld) reach(x *ptext) (int64, int, bool) {
	_, k := x.text()
	c := w.contactID(x.phone)
	if x.media || (k != inbound.NoKeyword && k != inbound.Start) || c == 0 {
		return 0, 0, false
	}
	for _, p := range slices.Backward(w.polls) {
		if !recipient(p.status[c]) {
			continue
		}
		if (p.closed && !x.at.Before(p.closedAt)) || (p.closesAt != nil && !x.at.Before(*p.closesAt)) {
			if k == inbound.Start {
				return 0, 0, false
			}
			return p.br.ID, 0, true
		}
		opt, _ := poll.Match(x.body, p.options)
		if opt == 0 && k == inbound.Start {
			return 0, 0, false // START or UNSTOP: an opt-in, not a reply to the poll
		}
		return p.br.ID, opt, false
	}
	return 0, 0, false
}

// current is the model's answer of contact c to poll id: the counted text
// with the latest time, and of those the last stored; nil for none.
func (w *pworld) current(id, c int64) *ptext {
	var cur *ptext
	for _, sid := range w.sids {
		x := w.texts[sid]
		if x.poll == id && x.option > 0 && x.contact == c && (cur == nil || !x.at.Before(cur.at)) {
			cur = x
		}
	}
	return cur
}

// store records x as stored fresh, with what it reached.
func (w *pworld) store(x *ptext) {
	x.contact = w.contactID(x.phone)
	x.poll, x.option, x.late = w.reach(x)
	if prev := w.current(x.poll, x.contact); x.counted() && prev != nil {
		switch {
		case x.at.Before(prev.at):
			w.count["answer older than the stored"]++
		case prev.option != x.option:
			w.count["answer changed"]++
		}
	}
	w.texts[x.sid] = x
	w.sids = append(w.sids, x.sid)
}

// answer saves a fresh text alone and checks what SaveText says of it.
func (w *pworld) answer(x *ptext) {
	w.t.Helper()
	var before *ptext
	id, opt, _ := w.reach(x)
	if id != 0 && opt > 0 {
		before = w.current(id, w.contactID(x.phone))
	}
	t, k := x.text()
	saved, fresh, err := w.st.SaveText(w.ctx, t, k)
	w.check(err, "save text")
	if !fresh {
		w.t.Fatalf("fresh text %s %q was not fresh", x.sid, x.body)
	}
	w.store(x)
	stale := before != nil && x.at.Before(before.at)
	want := inbound.PollMatch{Poll: x.poll, Option: x.option, Closed: x.late}
	if x.option > 0 {
		p := w.poll(x.poll)
		want.Label = p.options[x.option-1]
		want.Changed = before != nil && before.option != x.option && !stale
		if !stale {
			want.Confirm = poll.Confirmation("Got it: {answer}", want.Label)
		}
	}
	if saved.Poll != want {
		w.t.Fatalf("text %s %q at %v: saved %+v, want %+v (stored answer %+v)", x.sid, x.body, x.at, saved.Poll, want, before)
	}
}

func (w *pworld) poll(id int64) *ppoll {
	for _, p := range w.polls {
		if p.br.ID == id {
			return p
		}
	}
	w.t.Fatalf("no poll #%d in the model", id)
	return nil
}

// replay saves a stored text's SID again, sometimes with another time or
// body: it changes nothing.
func (w *pworld) replay() {
	x := *w.texts[w.sids[w.rng.IntN(len(w.sids))]]
	if w.rng.IntN(2) == 0 {
		x.at = x.at.Add(time.Duration(w.rng.IntN(120)) * time.Second)
		x.body = bodies[w.rng.IntN(len(bodies))]
	}
	t, k := x.text()
	saved, fresh, err := w.st.SaveText(w.ctx, t, k)
	w.check(err, "save replayed text")
	if fresh || saved.Poll != (inbound.PollMatch{}) {
		w.t.Fatalf("replayed %s: fresh %v, %+v", x.sid, fresh, saved.Poll)
	}
}

// concurrent saves a few fresh texts at once from several goroutines,
// one of them twice (a webhook and the poller). A contact's texts have
// distinct times, so the newest is the same whatever order they commit.
func (w *pworld) concurrent() {
	taken := map[string][]time.Time{}
	var xs []*ptext
	for range 2 + w.rng.IntN(5) {
		x := w.newText(taken)
		taken[x.phone] = append(taken[x.phone], x.at)
		xs = append(xs, x)
	}
	jobs := append(slices.Clone(xs), xs[w.rng.IntN(len(xs))])
	fresh := make([]bool, len(jobs))
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, x := range jobs {
		wg.Go(func() {
			<-start
			t, k := x.text()
			_, fresh[i], errs[i] = w.st.SaveText(w.ctx, t, k)
		})
	}
	close(start)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		w.t.Fatal("concurrent SaveText calls did not return within a minute")
	}
	n := 0
	for i := range jobs {
		w.check(errs[i], "save text concurrently")
		if fresh[i] {
			n++
		}
	}
	if n != len(xs) {
		w.t.Fatalf("%d of %d texts (%d distinct SIDs) saved fresh", n, len(jobs), len(xs))
	}
	for _, x := range xs {
		w.store(x)
	}
}

// closePoll closes a random poll; closing a closed one is a conflict.
func (w *pworld) closePoll() {
	p := w.polls[w.rng.IntN(len(w.polls))]
	_, err := w.st.ClosePoll(w.ctx, p.br.ID, "bob", w.clock.Now())
	if p.closed {
		if broadcast.ErrorCode(err) != broadcast.ECONFLICT {
			w.t.Fatalf("closing closed poll #%d: %v", p.br.ID, err)
		}
		return
	}
	w.check(err, "close poll")
	p.closed, p.closedAt = true, w.clock.Now()
}

// secondPoll asks another poll: to some of the crew (a list of its own),
// or to an answer group of an earlier poll.
func (w *pworld) secondPoll() {
	if w.rng.IntN(2) == 0 {
		first := w.polls[w.rng.IntN(len(w.polls))]
		w.newPoll("crew", broadcast.Group{Poll: first.br.ID, Option: w.rng.IntN(len(first.options) + 1)})
		return
	}
	list := fmt.Sprintf("some%d", len(w.polls))
	for _, c := range w.crew {
		if w.rng.IntN(2) == 0 {
			_, err := w.st.AddMember(w.ctx, list, c.Phone, "", "test")
			w.check(err, "add member")
		}
	}
	if _, err := w.st.AddMember(w.ctx, list, w.crew[0].Phone, "", "test"); err != nil {
		w.t.Fatal(err)
	}
	w.newPoll(list, broadcast.Group{})
}

// checkGroup fails unless rows are exactly the crew members in g of list.
func (w *pworld) checkGroup(listID int64, g broadcast.Group, rows []broadcast.Message) {
	if g.Whole() {
		return
	}
	p := w.poll(g.Poll)
	var want, got []int64
	for _, c := range w.crew {
		a := w.current(g.Poll, c.ID)
		if g.Option > 0 && a != nil && a.option == g.Option || g.Option == 0 && a == nil && recipient(p.status[c.ID]) {
			want = append(want, c.ID)
		}
	}
	for _, m := range rows {
		got = append(got, m.ContactID)
	}
	if !slices.Equal(got, want) {
		w.t.Fatalf("the outbox of a poll to %q of list %d has contacts %v, want %v", g, listID, got, want)
	}
}
