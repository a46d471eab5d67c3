package storetest

import (
	"fmt"
	"time"

	"smsbot/broadcast"
)

// phones returns the phones of cs, in order.
func phones(cs []broadcast.Contact) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Phone
	}
	return out
}

// group is what each of the store's readers of a target makes of g on
// list: the audience, the recipients and the skipped members.
func (b *bundle) group(list string, g broadcast.Group) (broadcast.Audience, []string, []string) {
	b.t.Helper()
	l, err := b.st.ListByName(b.ctx, list)
	b.check(err, "list "+list)
	t := broadcast.Target{ListID: l.ID, Group: g}
	a, err := b.st.Audience(b.ctx, t)
	b.check(err, "audience")
	var recipients []broadcast.Contact
	b.check(b.st.EachRecipient(b.ctx, t, func(c broadcast.Contact) error {
		recipients = append(recipients, c)
		return nil
	}), "each recipient")
	skipped, err := b.st.SkippedMembers(b.ctx, t, 100)
	b.check(err, "skipped members")
	return a, phones(recipients), phones(skipped)
}

// pollGroupTests: poll:<id>=<option> groups, and a poll's answers through
// forgetting, list deletion and export.
func pollGroupTests() map[string]func(*bundle) {
	return map[string]func(*bundle){
		"AnswerGroups": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			cs := b.members("crew", 0, 7)
			b.members("board", 0, 1) // cs[0] is on another list too
			br := b.pollTo("crew", shuttle)
			// 0 answers 1; 1 answers 2; 2 answers 1 and leaves the list; 3
			// and 6 do not answer; 4 failed; 5 answers 1 and opts out.
			b.deliver(br, s.ID, map[int64]broadcast.MessageStatus{cs[0].ID: broadcast.MsgSent, cs[1].ID: broadcast.MsgSent,
				cs[2].ID: broadcast.MsgSent, cs[3].ID: broadcast.MsgSent, cs[4].ID: broadcast.MsgFailed, cs[5].ID: broadcast.MsgDelivered,
				cs[6].ID: broadcast.MsgDelivered})
			for i, body := range map[int]string{0: "1", 1: "2", 2: "5 pm", 4: "1", 5: "one"} {
				b.reply(i+1, cs[i], body, t0.Add(time.Minute))
			}
			b.check(b.st.RemoveMember(b.ctx, "crew", cs[2].Phone, "test"), "remove member")
			b.reply(10, cs[5], "STOP", t0.Add(2*time.Minute))
			if _, err := b.st.OptOut(b.ctx, cs[5].Phone, "sms"); err != nil { // as inbound does on STOP
				b.t.Fatal(err)
			}
			b.wantTally(br.ID, []int{3, 1}, 4, 6)
			for _, c := range []struct {
				g          broadcast.Group
				total      int
				recipients []string
				skipped    []string
			}{
				{broadcast.Group{Poll: br.ID, Option: 1}, 2, []string{cs[0].Phone}, []string{cs[5].Phone}},
				{broadcast.Group{Poll: br.ID, Option: 2}, 1, []string{cs[1].Phone}, nil},
				{broadcast.Group{Poll: br.ID}, 2, []string{cs[3].Phone, cs[6].Phone}, nil},
				{broadcast.Group{}, 6, []string{cs[0].Phone, cs[1].Phone, cs[3].Phone, cs[4].Phone, cs[6].Phone}, []string{cs[5].Phone}},
			} {
				a, recipients, skipped := b.group("crew", c.g)
				if a.Total != c.total || a.Eligible() != len(c.recipients) || fmt.Sprint(recipients) != fmt.Sprint(c.recipients) ||
					fmt.Sprint(skipped) != fmt.Sprint(c.skipped) {
					b.t.Fatalf("group %q: audience %+v, recipients %v, skipped %v; want total %d, recipients %v, skipped %v",
						c.g, a, recipients, skipped, c.total, c.recipients, c.skipped)
				}
			}
			// Another list's members are not in the poll's groups.
			if a, r, _ := b.group("board", broadcast.Group{Poll: br.ID, Option: 1}); a.Total != 1 || len(r) != 1 {
				b.t.Fatalf("board's poll:%d=1: %+v %v", br.ID, a, r)
			}
			if a, r, _ := b.group("board", broadcast.Group{Poll: br.ID, Option: 2}); a.Total != 0 || len(r) != 0 {
				b.t.Fatalf("board's poll:%d=2: %+v %v", br.ID, a, r)
			}
			// A follow-up to a group writes the outbox of exactly its members.
			for _, c := range []struct {
				g                     broadcast.Group
				queued, skipped, rows int
			}{{broadcast.Group{Poll: br.ID, Option: 1}, 1, 1, 2}, {broadcast.Group{Poll: br.ID}, 2, 0, 2}} {
				l, err := b.st.ListByName(b.ctx, "crew")
				b.check(err, "list")
				f, err := b.st.CreateBroadcast(b.ctx, broadcast.Broadcast{Body: "Gate B", ListID: l.ID, ListName: l.Name, RequestedBy: "alice",
					Segments: 1, Encoding: broadcast.GSM7, Group: c.g})
				b.check(err, "create follow-up")
				if f.Group != c.g || f.Target() != (broadcast.Target{ListID: l.ID, Group: c.g}) {
					b.t.Fatalf("follow-up's group = %+v, want %+v", f.Group, c.g)
				}
				f = b.transition(f, broadcast.StatusPending, broadcast.StatusSending)
				b.queueAll(f, nil)
				if n := b.counts(f.ID); n.Total != c.rows || n.Queued != c.queued || n.Skipped != c.skipped {
					b.t.Fatalf("follow-up to %q: counts %+v", c.g, n)
				}
			}
		},
		"ForgetKeepsTheCount": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			cs := b.members("crew", 0, 2)
			br := b.pollTo("crew", shuttle)
			b.sentTo(br, s.ID, cs...)
			b.reply(1, cs[0], "1, see you there", t0.Add(time.Minute))
			b.reply(2, cs[1], "2", t0.Add(time.Minute))
			if _, err := b.st.Forget(b.ctx, cs[0].ID, "alice"); err != nil {
				b.t.Fatal(err)
			}
			b.wantTally(br.ID, []int{1, 1}, 2, 2)
			as := b.answers(br.ID)
			if a := as[cs[0].ID]; a.Option != 1 || a.Raw != "" || a.Contact.Phone == cs[0].Phone || a.AnsweredAt == nil {
				b.t.Fatalf("forgotten contact's answer = %+v", a)
			}
			if a := as[cs[1].ID]; a.Option != 2 || a.Raw != "2" {
				b.t.Fatalf("other answer = %+v", a)
			}
		},
		"DeleteListWithAPoll": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.members("crew", 0, 2)
			pending := b.pendingPoll("crew", shuttle)
			cancelled := b.pollTo("crew", shuttle)
			b.queueAll(cancelled, nil)
			b.transition(cancelled, broadcast.StatusSending, broadcast.StatusCancelled)
			b.check(b.st.SaveTallyRef(b.ctx, cancelled.ID, "slack", "C1/1764300000.000100", t0), "save tally ref")
			l, err := b.st.ListByName(b.ctx, "crew")
			b.check(err, "list")
			d, err := b.st.DeleteList(b.ctx, l.ID, "alice")
			b.check(err, "delete list")
			if fmt.Sprint(d.Broadcasts) != fmt.Sprint([]int64{pending.ID, cancelled.ID}) {
				b.t.Fatalf("deleted with the list: %+v", d)
			}
			for _, id := range []int64{pending.ID, cancelled.ID} {
				_, err := b.st.Poll(b.ctx, id)
				b.wantCode(err, broadcast.ENOTFOUND, "a deleted list's poll")
			}
			// A list whose poll was sent keeps its history.
			cs := b.members("crew", 0, 1)
			sentPoll := b.pollTo("crew", shuttle)
			b.sentTo(sentPoll, s.ID, cs...)
			b.reply(1, cs[0], "1", t0.Add(time.Minute))
			l, err = b.st.ListByName(b.ctx, "crew")
			b.check(err, "list")
			_, err = b.st.DeleteList(b.ctx, l.ID, "alice")
			b.wantCode(err, broadcast.ECONFLICT, "deleting a list whose poll was sent")
			b.wantTally(sentPoll.ID, []int{1, 0}, 1, 1)
		},
		"Export": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			cs := b.members("crew", 0, 4)
			br := b.pollTo("crew", shuttle)
			b.clock.Advance(time.Second)
			sentAt := b.clock.Now()
			// 0 answers; 1 does not; 2 failed; 3 was in flight when it
			// answered, and then failed (its answer stays).
			b.deliver(br, s.ID, map[int64]broadcast.MessageStatus{cs[0].ID: broadcast.MsgSent, cs[1].ID: broadcast.MsgSent,
				cs[2].ID: broadcast.MsgFailed, cs[3].ID: broadcast.MsgSending})
			b.reply(1, cs[0], "2", t0.Add(time.Minute))
			b.reply(2, cs[0], "1 please", t0.Add(2*time.Minute))
			b.reply(3, cs[3], "7 pm shuttle", t0.Add(time.Minute))
			sending, err := b.st.SendingOf(b.ctx, s.ID)
			b.check(err, "sending")
			if len(sending) != 1 {
				b.t.Fatalf("rows in flight: %+v", sending)
			}
			f := sent(sending[0], "")
			f.Status, f.ErrorCode, f.ErrorText = broadcast.MsgFailed, "30007", "Carrier violation"
			b.settle(f)
			as := b.answers(br.ID)
			if len(as) != 3 {
				b.t.Fatalf("export rows: %+v", as)
			}
			a, none, late := as[cs[0].ID], as[cs[1].ID], as[cs[3].ID]
			if a.Option != 1 || a.Raw != "1 please" || !a.FirstAt.Equal(t0.Add(time.Minute)) || !a.AnsweredAt.Equal(t0.Add(2*time.Minute)) ||
				a.SentAt == nil || !a.SentAt.Equal(sentAt) || a.Contact.Phone != cs[0].Phone || a.Contact.Name != "Contact 0" {
				b.t.Fatalf("answer = %+v", a)
			}
			if none.Option != 0 || none.Raw != "" || none.AnsweredAt != nil || none.SentAt == nil || !none.SentAt.Equal(sentAt) {
				b.t.Fatalf("no answer = %+v", none)
			}
			if late.Option != 2 || late.Raw != "7 pm shuttle" || late.SentAt != nil {
				b.t.Fatalf("answer of a text that failed = %+v", late)
			}
			// The tally counts every answer, and those who got the poll.
			if tl := b.wantTally(br.ID, []int{1, 1}, 2, 2); tl.Unanswered != 1 {
				b.t.Fatalf("tally = %+v", tl)
			}
			_, err = b.st.Tally(b.ctx, 999)
			b.wantCode(err, broadcast.ENOTFOUND, "the tally of an unknown poll")
			b.wantCode(b.st.PollAnswers(b.ctx, 999, func(broadcast.PollAnswer) error { return nil }), broadcast.ENOTFOUND, "the answers of an unknown poll")
		},
	}
}
