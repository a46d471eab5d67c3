package storetest

import (
	"maps"
	"slices"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/inbound"
	"smsbot/poll"
)

// shuttle is the question most poll tests ask.
var shuttle = broadcast.Question{Text: "Which shuttle?", Options: []string{"5 pm shuttle", "7 pm shuttle"},
	Confirm: "Got it: {answer}. Reply again to change."}

// pollTo stores a poll to list asking q, approves it and writes its whole
// outbox, as the engine does.
func (b *bundle) pollTo(list string, q broadcast.Question) broadcast.Broadcast {
	b.t.Helper()
	return b.transition(b.pendingPoll(list, q), broadcast.StatusPending, broadcast.StatusSending)
}

// pendingPoll stores a pending poll to list asking q.
func (b *bundle) pendingPoll(list string, q broadcast.Question) broadcast.Broadcast {
	b.t.Helper()
	l, err := b.st.ListByName(b.ctx, list)
	b.check(err, "list "+list)
	body := poll.Body(q.Text, q.Options)
	info := broadcast.CountSegments(body)
	br, err := b.st.CreateBroadcast(b.ctx, broadcast.Broadcast{Body: body, ListID: l.ID, ListName: l.Name,
		RequestedBy: "alice", Segments: info.Segments, Encoding: info.Encoding, Question: &q})
	b.check(err, "create poll")
	return br
}

// deliver writes br's outbox and takes the row of each contact in to
// where its status says, through the claims and outcomes the engine
// commits: Sending is claimed only, Sent settled as sent, Delivered sent
// and then receipted, Failed settled as failed. Rows of other contacts
// stay queued (or skipped).
func (b *bundle) deliver(br broadcast.Broadcast, senderID int64, to map[int64]broadcast.MessageStatus) {
	b.t.Helper()
	b.queueAll(br, nil)
	var claim []broadcast.Message
	for _, m := range b.queued(senderID) {
		if _, ok := to[m.ContactID]; ok && m.BroadcastID == br.ID {
			claim = append(claim, m)
		}
	}
	if got := b.claim(senderID, ids(claim)...); len(got) != len(claim) {
		b.t.Fatalf("claimed %d of %d rows", len(got), len(claim))
	}
	for _, m := range claim {
		o := sent(m, sid(100000+int(m.ID)))
		switch to[m.ContactID] {
		case broadcast.MsgSending:
			continue
		case broadcast.MsgFailed:
			o.Status, o.ProviderSID, o.ErrorCode, o.ErrorText = broadcast.MsgFailed, "", "30007", "Carrier violation"
		}
		b.settle(o)
		if to[m.ContactID] == broadcast.MsgDelivered {
			changed, err := b.st.ApplyStatus(b.ctx, inbound.StatusUpdate{SID: o.ProviderSID, Status: broadcast.MsgDelivered, At: b.clock.Now()})
			b.check(err, "apply status")
			if !changed {
				b.t.Fatalf("the delivery receipt of row %d changed nothing", m.ID)
			}
		}
	}
}

// sentTo is deliver with every contact of cs sent.
func (b *bundle) sentTo(br broadcast.Broadcast, senderID int64, cs ...broadcast.Contact) {
	b.t.Helper()
	to := map[int64]broadcast.MessageStatus{}
	for _, c := range cs {
		to[c.ID] = broadcast.MsgSent
	}
	b.deliver(br, senderID, to)
}

// reply stores text n from c, with the keyword inbound reads in it.
func (b *bundle) reply(n int, c broadcast.Contact, body string, at time.Time) (inbound.Saved, bool) {
	b.t.Helper()
	return b.save(inbound.Text{SID: sid(n), From: c.Phone, To: "+12065550101", Body: body, At: at}, inbound.ParseKeyword(body))
}

func (b *bundle) tally(id int64) broadcast.Tally {
	b.t.Helper()
	t, err := b.st.Tally(b.ctx, id)
	b.check(err, "tally")
	return t
}

// wantTally fails unless poll id's counts, answered and recipients are these.
func (b *bundle) wantTally(id int64, counts []int, answered, recipients int) broadcast.Tally {
	b.t.Helper()
	t := b.tally(id)
	if !slices.Equal(t.Counts, counts) || t.Answered != answered || t.Recipients != recipients {
		b.t.Fatalf("tally of poll #%d = counts %v answered %d recipients %d, want %v %d %d",
			id, t.Counts, t.Answered, t.Recipients, counts, answered, recipients)
	}
	return t
}

// answers returns poll id's export rows by contact ID.
func (b *bundle) answers(id int64) map[int64]broadcast.PollAnswer {
	b.t.Helper()
	out := map[int64]broadcast.PollAnswer{}
	var last int64
	b.check(b.st.PollAnswers(b.ctx, id, func(a broadcast.PollAnswer) error {
		if a.Contact.ID <= last {
			b.t.Errorf("PollAnswers gave contact %d after %d", a.Contact.ID, last)
		}
		last = a.Contact.ID
		out[a.Contact.ID] = a
		return nil
	}), "poll answers")
	return out
}

// unrelayedPolls returns the unrelayed texts' polls by SID.
func (b *bundle) unrelayedPolls() map[string]int64 {
	b.t.Helper()
	out := map[string]int64{}
	for _, s := range b.unrelayed() {
		out[s.Text.SID] = s.Poll.Poll
	}
	return out
}

// testPolls: a poll's options, its answers by text (who may answer, which
// answer counts, what is relayed), closing, and its tally message.
func testPolls(t *testing.T, open Opener) {
	tests := map[string]func(*bundle){
		"OptionsInOrder": func(b *bundle) {
			b.members("crew", 0, 1)
			closes := t0.Add(2 * time.Hour)
			q := broadcast.Question{Text: "Lunch?", Options: []string{"Pizza", "Salad", "Soup", "Nothing"}, ClosesAt: &closes, Confirm: "Noted: {answer}"}
			br := b.pendingPoll("crew", q)
			if br.Question != nil {
				b.t.Fatalf("a stored broadcast carries its question: %+v", br.Question)
			}
			p, err := b.st.Poll(b.ctx, br.ID)
			b.check(err, "poll")
			if p.ID != br.ID || p.Question.Text != q.Text || !slices.Equal(p.Question.Options, q.Options) || p.Question.Confirm != q.Confirm ||
				p.Question.ClosesAt == nil || !p.Question.ClosesAt.Equal(closes) || p.ClosedAt != nil || !p.Open(t0) || p.Open(closes) {
				b.t.Fatalf("poll = %+v", p)
			}
			plain := b.pending("crew", "not a poll")
			_, err = b.st.Poll(b.ctx, plain.ID)
			b.wantCode(err, broadcast.ENOTFOUND, "the poll of a plain broadcast")
			_, err = b.st.Poll(b.ctx, 999)
			b.wantCode(err, broadcast.ENOTFOUND, "an unknown poll")
			ps, err := b.st.Polls(b.ctx, nil)
			b.check(err, "polls")
			if len(ps) != 0 {
				b.t.Fatalf("polls before approval = %+v, want none", ps)
			}
			_, err = b.st.Transition(b.ctx, br.ID, []broadcast.Status{broadcast.StatusPending}, broadcast.StatusSending, "bob", t0)
			b.check(err, "approve")
			ps, err = b.st.Polls(b.ctx, nil)
			b.check(err, "polls")
			if len(ps) != 1 || ps[0].ID != br.ID || !slices.Equal(ps[0].Question.Options, q.Options) {
				b.t.Fatalf("polls = %+v", ps)
			}
			if tl := b.wantTally(br.ID, []int{0, 0, 0, 0}, 0, 0); tl.Unanswered != 0 || !tl.Changed.IsZero() {
				b.t.Fatalf("tally of a poll not sent = %+v", tl)
			}
		},
		"OnlyRecipientsAnswer": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			cs := b.members("crew", 0, 6)
			stranger := b.members("other", 50, 1)[0]
			if _, err := b.st.OptOut(b.ctx, cs[4].Phone, "test"); err != nil {
				b.t.Fatal(err)
			}
			br := b.pollTo("crew", shuttle)
			// 0 sent, 1 delivered, 2 failed, 3 still queued, 4 skipped
			// (opted out), 5 in flight (sending: it may have gone out).
			b.deliver(br, s.ID, map[int64]broadcast.MessageStatus{cs[0].ID: broadcast.MsgSent, cs[1].ID: broadcast.MsgDelivered,
				cs[2].ID: broadcast.MsgFailed, cs[5].ID: broadcast.MsgSending})
			b.clock.Advance(time.Minute)
			for i, c := range append(cs, stranger) {
				saved, fresh := b.reply(i+1, c, "1", b.clock.Now())
				counted := i == 0 || i == 1 || i == 5
				if !fresh || saved.Poll.Counted() != counted {
					b.t.Fatalf("contact %d's answer: %+v fresh %v, want counted %v", i, saved.Poll, fresh, counted)
				}
				if counted && (saved.Poll.Poll != br.ID || saved.Poll.Label != "5 pm shuttle" || saved.Poll.Changed ||
					saved.Poll.Confirm != "Got it: 5 pm shuttle. Reply again to change.") {
					b.t.Fatalf("contact %d's answer: %+v", i, saved.Poll)
				}
				if !counted && saved.Poll != (inbound.PollMatch{}) {
					b.t.Fatalf("contact %d, who did not get the poll, answered it: %+v", i, saved.Poll)
				}
			}
			if tl := b.wantTally(br.ID, []int{3, 0}, 3, 3); tl.Unanswered != 0 || !tl.Changed.Equal(b.clock.Now()) {
				b.t.Fatalf("tally = %+v", tl)
			}
			// The texts not counted are relayed, as no answer to any poll.
			want := map[string]int64{sid(3): 0, sid(4): 0, sid(5): 0, sid(7): 0}
			if got := b.unrelayedPolls(); !maps.Equal(got, want) {
				b.t.Fatalf("unrelayed = %v, want %v", got, want)
			}
		},
		"ALaterAnswerReplaces": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			c := b.members("crew", 0, 1)[0]
			br := b.pollTo("crew", shuttle)
			b.sentTo(br, s.ID, c)
			first, fresh := b.reply(1, c, "2", t0.Add(time.Minute))
			if !fresh || first.Poll.Option != 2 || first.Poll.Changed {
				b.t.Fatalf("first answer %+v", first.Poll)
			}
			second, _ := b.reply(2, c, "5pm", t0.Add(3*time.Minute))
			if second.Poll.Option != 1 || !second.Poll.Changed || second.Poll.Confirm != "Got it: 5 pm shuttle. Reply again to change." {
				b.t.Fatalf("second answer %+v", second.Poll)
			}
			same, _ := b.reply(3, c, "#1", t0.Add(4*time.Minute))
			if same.Poll.Option != 1 || same.Poll.Changed {
				b.t.Fatalf("the same answer again: %+v", same.Poll)
			}
			if tl := b.wantTally(br.ID, []int{1, 0}, 1, 1); !tl.Changed.Equal(t0.Add(4 * time.Minute)) {
				b.t.Fatalf("tally changed at %v", tl.Changed)
			}
			// A text sent before the newest answer but received after it
			// (polled out of order) does not replace it, and is not
			// confirmed as if it had.
			stale, fresh := b.reply(4, c, "2", t0.Add(2*time.Minute))
			if !fresh || stale.Poll.Poll != br.ID || stale.Poll.Confirm != "" || stale.Poll.Changed {
				b.t.Fatalf("an older answer received late: %+v", stale.Poll)
			}
			b.wantTally(br.ID, []int{1, 0}, 1, 1)
			a := b.answers(br.ID)[c.ID]
			// Answered when 1 was chosen ("5pm"), not when it was repeated.
			if a.Option != 1 || a.Raw != "#1" || a.AnsweredAt == nil || !a.AnsweredAt.Equal(t0.Add(3*time.Minute)) ||
				a.FirstAt == nil || !a.FirstAt.Equal(t0.Add(time.Minute)) {
				b.t.Fatalf("answer = %+v", a)
			}
			// One older than the first answer moves only the first answer's
			// time.
			b.reply(5, c, "2", t0.Add(30*time.Second))
			b.wantTally(br.ID, []int{1, 0}, 1, 1)
			if a := b.answers(br.ID)[c.ID]; a.Option != 1 || a.Raw != "#1" || !a.AnsweredAt.Equal(t0.Add(3*time.Minute)) ||
				!a.FirstAt.Equal(t0.Add(30*time.Second)) {
				b.t.Fatalf("answer after an older one = %+v", a)
			}
			if got := b.unrelayedPolls(); len(got) != 0 {
				b.t.Fatalf("answers left to relay: %v", got)
			}
		},
	}
	for name, fn := range pollAnswerTests() {
		tests[name] = fn
	}
	for name, fn := range pollGroupTests() {
		tests[name] = fn
	}
	subtests(t, open, tests)
}
