package store_test

import (
	"bufio"
	crand "crypto/rand"
	"encoding/binary"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"smsbot/broadcast"
	"smsbot/inbound"
)

// queued returns p's rows still queued, in contact order.
func (w *pworld) queued(p *ppoll) []broadcast.Message {
	ms, err := w.st.NextQueued(w.ctx, w.sender, w.clock.Now(), 10000)
	w.check(err, "next queued")
	ms = slices.DeleteFunc(ms, func(m broadcast.Message) bool { return m.BroadcastID != p.br.ID })
	slices.SortFunc(ms, func(a, b broadcast.Message) int { return int(a.ContactID - b.ContactID) })
	return ms
}

// deliver claims most of rows and settles each claimed one as sent or,
// now and then, failed; the rest stay queued.
func (w *pworld) deliver(p *ppoll, rows []broadcast.Message) {
	var claim []broadcast.Message
	for _, m := range rows {
		if w.rng.IntN(4) > 0 {
			claim = append(claim, m)
		}
	}
	if len(claim) == 0 {
		return
	}
	ids := make([]int64, len(claim))
	for i, m := range claim {
		ids[i] = m.ID
	}
	got, err := w.st.Commit(w.ctx, broadcast.Commit{Claims: []broadcast.Claim{{SenderID: w.sender, IDs: ids}}, Now: w.clock.Now()})
	w.check(err, "claim")
	if len(got) != 1 || len(got[0]) != len(claim) {
		w.t.Fatalf("claimed %v of %v", got, ids)
	}
	var os []broadcast.Outcome
	for _, m := range claim {
		o := broadcast.Outcome{MessageID: m.ID, BroadcastID: m.BroadcastID, ContactID: m.ContactID, SenderID: m.SenderID,
			Segments: m.Segments, Status: broadcast.MsgSent, ProviderSID: fmt.Sprintf("SMout%030d", m.ID), At: w.clock.Now()}
		if w.rng.IntN(5) == 0 {
			o.Status, o.ProviderSID, o.ErrorCode, o.ErrorText = broadcast.MsgFailed, "", "30007", "Carrier violation"
		} else {
			p.sids[m.ContactID] = o.ProviderSID
		}
		p.status[m.ContactID] = o.Status
		os = append(os, o)
	}
	_, err = w.st.Commit(w.ctx, broadcast.Commit{Outcomes: os, Now: w.clock.Now()})
	w.check(err, "settle")
}

// receipt delivers a random text sent.
func (w *pworld) receipt() {
	p := w.polls[w.rng.IntN(len(w.polls))]
	for _, c := range w.crew {
		if p.status[c.ID] == broadcast.MsgSent {
			changed, err := w.st.ApplyStatus(w.ctx, inbound.StatusUpdate{SID: p.sids[c.ID], Status: broadcast.MsgDelivered, At: w.clock.Now()})
			w.check(err, "apply status")
			if !changed {
				w.t.Fatalf("the receipt of %s changed nothing", p.sids[c.ID])
			}
			p.status[c.ID] = broadcast.MsgDelivered
			return
		}
	}
}

// relay marks a random text left to relay relayed, as the relay does.
func (w *pworld) relay() {
	for _, sid := range w.sids {
		if x := w.texts[sid]; !x.counted() && !x.relayed && w.rng.IntN(3) == 0 {
			w.check(w.st.MarkRelayed(w.ctx, sid, w.clock.Now()), "mark relayed")
			x.relayed = true
			return
		}
	}
}

func (x *ptext) counted() bool { return x.poll != 0 && x.option > 0 }

// checkPolls compares the store's tallies, answers and texts to relay
// with the model's.
func (w *pworld) checkPolls() {
	w.t.Helper()
	us, err := w.st.Unrelayed(w.ctx, 100000)
	w.check(err, "unrelayed")
	got, want := map[string]int64{}, map[string]int64{}
	for _, u := range us {
		got[u.Text.SID] = u.Poll.Poll
	}
	for _, x := range w.texts {
		if !x.counted() && !x.relayed {
			want[x.sid] = x.poll
		}
	}
	if !maps.Equal(got, want) {
		w.t.Fatalf("unrelayed texts (SID: poll) = %v, want %v", got, want)
	}
	for _, p := range w.polls {
		w.checkPoll(p)
	}
}

func (w *pworld) checkPoll(p *ppoll) {
	w.t.Helper()
	id := p.br.ID
	counts := make([]int, len(p.options))
	recipients, answered := 0, 0
	listed := map[int64]bool{}
	var changed *ptext
	for _, c := range w.crew {
		a := w.current(id, c.ID)
		if a != nil {
			counts[a.option-1]++
			listed[c.ID] = true
			if changed == nil || a.at.After(changed.at) {
				changed = a
			}
		}
		if recipient(p.status[c.ID]) {
			recipients++
			listed[c.ID] = true
			if a != nil {
				answered++
			}
		}
	}
	tl, err := w.st.Tally(w.ctx, id)
	w.check(err, "tally")
	sum := 0
	for _, n := range tl.Counts {
		sum += n
	}
	if !slices.Equal(tl.Counts, counts) || sum != tl.Answered || tl.Answered > tl.Recipients || tl.Recipients != recipients ||
		tl.Unanswered != recipients-answered || (changed == nil) != tl.Changed.IsZero() || changed != nil && !changed.at.Equal(tl.Changed) ||
		(tl.Poll.ClosedAt != nil) != p.closed {
		w.t.Fatalf("tally of poll #%d = %+v; want counts %v of %d recipients, %d of them answered, changed %+v, closed %v",
			id, tl, counts, recipients, answered, changed, p.closed)
	}
	var last int64
	err = w.st.PollAnswers(w.ctx, id, func(a broadcast.PollAnswer) error {
		if a.Contact.ID <= last || !listed[a.Contact.ID] {
			w.t.Errorf("poll #%d: answers list contact %d (after %d), want only %v once each", id, a.Contact.ID, last, listed)
		}
		last = a.Contact.ID
		delete(listed, a.Contact.ID)
		cur := w.current(id, a.Contact.ID)
		if cur == nil {
			if a.Option != 0 || a.AnsweredAt != nil || a.Raw != "" {
				w.t.Errorf("poll #%d: contact %d has answer %+v, want none", id, a.Contact.ID, a)
			}
			return nil
		}
		first := cur.at
		for _, x := range w.texts {
			if x.poll == id && x.option > 0 && x.contact == a.Contact.ID && x.at.Before(first) {
				first = x.at
			}
		}
		// AnsweredAt is when the current option was chosen: a repeat of
		// it moves only the newest text's time, so it is at or before the
		// current text's, and not before the first answer.
		if a.Option != cur.option || a.Raw != cur.body || a.AnsweredAt == nil || a.AnsweredAt.After(cur.at) || a.AnsweredAt.Before(first) ||
			a.FirstAt == nil || !a.FirstAt.Equal(first) || recipient(p.status[a.Contact.ID]) != (a.SentAt != nil) {
			w.t.Errorf("poll #%d: contact %d's answer %+v, want %q (option %d) chosen by %v, first at %v", id, a.Contact.ID, a, cur.body, cur.option, cur.at, first)
		}
		return nil
	})
	w.check(err, "poll answers")
	if len(listed) > 0 {
		w.t.Errorf("poll #%d: answers miss contacts %v", id, listed)
	}
	if w.t.Failed() {
		w.t.FailNow()
	}
}

var pollSeedFlag = flag.Uint64("poll.seed", 0, "seed of the poll property test (default: $SMSBOT_POLL_SEED, else random)")

const pollSeedsFile = "testdata/poll-seeds"

// forPollSeeds runs the property test once for each seed in
// testdata/poll-seeds, then for -poll.seed (or SMSBOT_POLL_SEED), or else
// for n new random seeds (short of them under -short). A failing seed is
// printed: add it to testdata/poll-seeds.
func forPollSeeds(t *testing.T, n, short int, run func(*testing.T, uint64)) {
	seeds := readPollSeeds(t)
	switch env := os.Getenv("SMSBOT_POLL_SEED"); {
	case *pollSeedFlag != 0:
		seeds = append(seeds, *pollSeedFlag)
	case env != "":
		s, err := strconv.ParseUint(env, 10, 64)
		if err != nil {
			t.Fatalf("SMSBOT_POLL_SEED: %v", err)
		}
		seeds = append(seeds, s)
	default:
		if testing.Short() {
			n = short
		}
		for range n {
			var b [8]byte
			crand.Read(b[:])
			seeds = append(seeds, binary.LittleEndian.Uint64(b[:])>>1)
		}
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Errorf("failing seed %d: replay it with go test ./store/ -run '%s$' -poll.seed=%d, and keep it in store/%s",
						seed, t.Name(), seed, pollSeedsFile)
				}
			}()
			run(t, seed)
		})
	}
}

func readPollSeeds(t *testing.T) []uint64 {
	f, err := os.Open(pollSeedsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []uint64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s, err := strconv.ParseUint(strings.Fields(line)[0], 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", pollSeedsFile, err)
		}
		out = append(out, s)
	}
	return out
}
