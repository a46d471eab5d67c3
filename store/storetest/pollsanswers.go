package storetest

import (
	"maps"
	"time"

	"smsbot/broadcast"
	"smsbot/inbound"
)

// pollAnswerTests: which texts count, and what is relayed, around
// keywords, replays, closing and several polls.
func pollAnswerTests() map[string]func(*bundle) {
	return map[string]func(*bundle){
		"KeywordsNeverCount": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			cs := b.members("crew", 0, 2)
			br := b.pollTo("crew", broadcast.Question{Text: "Shift?", Options: []string{"Stop the line", "Start early", "Help at the door"}})
			b.sentTo(br, s.ID, cs...)
			// As inbound reads them: each of these is a keyword, and a label
			// beginning with it does not make it an answer.
			for i, body := range []string{"STOP", "start", "Help!", "info", " Unstop "} {
				if inbound.ParseKeyword(body) == inbound.NoKeyword {
					b.t.Fatalf("%q is no keyword", body)
				}
				saved, fresh := b.reply(i+1, cs[0], body, t0.Add(time.Duration(i)*time.Second))
				if !fresh || saved.Poll.Counted() {
					b.t.Fatalf("keyword %q: %+v fresh %v", body, saved.Poll, fresh)
				}
			}
			// Keywords come first even when inbound were to miss one.
			saved, _ := b.save(inbound.Text{SID: sid(6), From: cs[1].Phone, Body: "stop the line", At: t0}, inbound.NoKeyword)
			if saved.Poll.Counted() {
				b.t.Fatalf("%q counted: %+v", "stop the line", saved.Poll)
			}
			b.wantTally(br.ID, []int{0, 0, 0}, 0, 2)
			if n := len(b.unrelayed()); n != 6 {
				b.t.Fatalf("%d texts to relay, want all 6", n)
			}
		},
		"YesAnswersAYesNoPoll": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			cs := b.members("crew", 0, 2)
			yn := b.pollTo("crew", broadcast.Question{Text: "Coming?", Options: []string{"Yes", "No"}})
			b.sentTo(yn, s.ID, cs...)
			// YES is START's synonym to the carrier, and inbound passes it
			// as such; it is an answer too. START itself is not.
			yes, _ := b.reply(1, cs[0], "YES", t0.Add(time.Minute))
			start, _ := b.reply(2, cs[1], "START", t0.Add(time.Minute))
			if inbound.ParseKeyword("YES") != inbound.Start || yes.Keyword != inbound.Start || !yes.Poll.Counted() || yes.Poll.Option != 1 ||
				start.Poll.Counted() {
				b.t.Fatalf("YES: %+v; START: %+v", yes, start.Poll)
			}
			no, _ := b.reply(3, cs[0], "nope", t0.Add(2*time.Minute))
			if no.Poll.Option != 2 || !no.Poll.Changed {
				b.t.Fatalf("nope after YES: %+v", no.Poll)
			}
			b.wantTally(yn.ID, []int{0, 1}, 1, 2)
		},
		"ReplayedSIDChangesNothing": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			c := b.members("crew", 0, 1)[0]
			br := b.pollTo("crew", shuttle)
			b.sentTo(br, s.ID, c)
			b.reply(1, c, "1", t0.Add(time.Minute))
			b.reply(2, c, "2", t0.Add(2*time.Minute))
			// A webhook retry, or the poller meeting a text the webhook
			// stored: same SID, even with a later time.
			for _, body := range []string{"1", "2"} {
				saved, fresh := b.reply(1, c, body, t0.Add(time.Hour))
				if fresh || saved.Poll != (inbound.PollMatch{}) || saved.Contact.ID != c.ID {
					b.t.Fatalf("replayed SID: %+v fresh %v", saved, fresh)
				}
			}
			b.wantTally(br.ID, []int{0, 1}, 1, 1)
			if a := b.answers(br.ID)[c.ID]; a.Option != 2 || !a.AnsweredAt.Equal(t0.Add(2*time.Minute)) {
				b.t.Fatalf("answer after replays = %+v", a)
			}
		},
		"ClosedPollCountsNothing": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			cs := b.members("crew", 0, 2)
			br := b.pollTo("crew", shuttle)
			b.sentTo(br, s.ID, cs...)
			b.reply(1, cs[0], "1", t0.Add(time.Minute))
			closedAt := t0.Add(10 * time.Minute)
			p, err := b.st.ClosePoll(b.ctx, br.ID, "bob", closedAt)
			b.check(err, "close poll")
			if p.ClosedAt == nil || !p.ClosedAt.Equal(closedAt) || p.ClosedBy != "bob" || p.Open(closedAt) {
				b.t.Fatalf("closed poll = %+v", p)
			}
			_, err = b.st.ClosePoll(b.ctx, br.ID, "carol", closedAt.Add(time.Minute))
			b.wantCode(err, broadcast.ECONFLICT, "closing a poll twice")
			if p, err := b.st.Poll(b.ctx, br.ID); err != nil || p.ClosedBy != "bob" || !p.ClosedAt.Equal(closedAt) {
				b.t.Fatalf("poll after a second close = %+v, %v", p, err)
			}
			_, err = b.st.ClosePoll(b.ctx, 999, "bob", closedAt)
			b.wantCode(err, broadcast.ENOTFOUND, "closing an unknown poll")
			// Answers after closing are relayed, marked as late; one sent
			// before the close and read after it still counts.
			changed, _ := b.reply(2, cs[0], "2", closedAt.Add(time.Minute))
			late, _ := b.reply(3, cs[1], "1", closedAt.Add(time.Minute))
			lateMark := inbound.PollMatch{Poll: br.ID, Closed: true}
			if changed.Poll != lateMark || late.Poll != lateMark {
				b.t.Fatalf("answers after closing: %+v, %+v", changed.Poll, late.Poll)
			}
			b.wantTally(br.ID, []int{1, 0}, 1, 2)
			if got, want := b.unrelayedPolls(), map[string]int64{sid(2): br.ID, sid(3): br.ID}; !maps.Equal(got, want) {
				b.t.Fatalf("unrelayed = %v, want %v", got, want)
			}
			for _, u := range b.unrelayed() {
				if !u.Poll.Closed {
					b.t.Fatalf("unrelayed %s not marked late: %+v", u.Text.SID, u.Poll)
				}
			}
			before, _ := b.reply(5, cs[1], "1", closedAt.Add(-time.Second))
			if !before.Poll.Counted() {
				b.t.Fatalf("an answer sent before the close and read after it: %+v", before.Poll)
			}
			b.wantTally(br.ID, []int{2, 0}, 2, 2)
			open, err := b.st.Polls(b.ctx, nil)
			b.check(err, "polls")
			since := closedAt
			recent, err := b.st.Polls(b.ctx, &since)
			b.check(err, "polls closed since")
			later := closedAt.Add(time.Second)
			older, err := b.st.Polls(b.ctx, &later)
			b.check(err, "polls closed since")
			if len(open) != 0 || len(recent) != 1 || recent[0].ID != br.ID || len(older) != 0 {
				b.t.Fatalf("polls: open %+v, closed since %v %+v, since %v %+v", open, since, recent, later, older)
			}
		},
		"ClosesAt": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			cs := b.members("crew", 0, 3)
			q := shuttle
			closes := t0.Add(time.Hour)
			q.ClosesAt = &closes
			br := b.pollTo("crew", q)
			b.sentTo(br, s.ID, cs...)
			// The time the contact sent it decides, not when it is stored.
			in, _ := b.reply(1, cs[0], "1", closes.Add(-time.Second))
			at, _ := b.reply(2, cs[1], "1", closes)
			after, _ := b.reply(3, cs[2], "2", closes.Add(time.Minute))
			if !in.Poll.Counted() || !at.Poll.Closed || !after.Poll.Closed || at.Poll.Counted() {
				b.t.Fatalf("answers around the closing time: %+v, %+v, %+v", in.Poll, at.Poll, after.Poll)
			}
			b.wantTally(br.ID, []int{1, 0}, 1, 3)
			// Closing time passed is not closed: Close now still records it.
			if _, err := b.st.ClosePoll(b.ctx, br.ID, "bob", closes.Add(time.Hour)); err != nil {
				b.t.Fatal(err)
			}
		},
		"NewestPollWins": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			cs := b.members("crew", 0, 2)
			older := b.pollTo("crew", shuttle)
			b.sentTo(older, s.ID, cs...)
			newer := b.pollTo("crew", broadcast.Question{Text: "Dinner?", Options: []string{"Fish", "Pasta", "Salad"}})
			b.sentTo(newer, s.ID, cs[0]) // cs[1]'s row stays queued
			a, _ := b.reply(1, cs[0], "2", t0.Add(time.Minute))
			o, _ := b.reply(2, cs[1], "2", t0.Add(time.Minute))
			if a.Poll.Poll != newer.ID || a.Poll.Label != "Pasta" || o.Poll.Poll != older.ID || o.Poll.Label != "7 pm shuttle" {
				b.t.Fatalf("answers: %+v, %+v", a.Poll, o.Poll)
			}
			// "7pm" is no answer to the newer poll, and is not counted for
			// the older one either.
			label, _ := b.reply(3, cs[0], "7pm", t0.Add(2*time.Minute))
			if label.Poll != (inbound.PollMatch{Poll: newer.ID}) {
				b.t.Fatalf("an older poll's label to the newer: %+v", label.Poll)
			}
			if _, err := b.st.ClosePoll(b.ctx, newer.ID, "bob", t0.Add(3*time.Minute)); err != nil {
				b.t.Fatal(err)
			}
			// With the newer poll closed, a reply is late for it: it is not
			// counted for the older one, whose options it may not mean.
			back, _ := b.reply(4, cs[0], "1", t0.Add(4*time.Minute))
			if back.Poll != (inbound.PollMatch{Poll: newer.ID, Closed: true}) {
				b.t.Fatalf("with the newer poll closed: %+v", back.Poll)
			}
			b.wantTally(older.ID, []int{0, 1}, 1, 2)
			b.wantTally(newer.ID, []int{0, 1, 0}, 1, 1)
		},
		"NotAnAnswerIsRelayed": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			cs := b.members("crew", 0, 2)
			br := b.pollTo("crew", shuttle)
			b.sentTo(br, s.ID, cs...)
			b.reply(1, cs[0], "1 and 2", t0.Add(time.Minute))
			b.reply(2, cs[0], "which bus is closer?", t0.Add(2*time.Minute))
			b.reply(3, cs[1], "2!!", t0.Add(2*time.Minute))
			b.save(inbound.Text{SID: sid(4), From: cs[1].Phone, Body: "1", Media: []string{"https://example.com/a.jpg"}, At: t0.Add(3 * time.Minute)}, inbound.NoKeyword)
			got := b.unrelayed()
			if len(got) != 3 || got[0].Text.SID != sid(1) || got[0].Poll.Poll != br.ID || got[0].Poll.Counted() ||
				got[1].Text.SID != sid(2) || got[1].Poll.Poll != br.ID || got[2].Text.SID != sid(4) || got[2].Poll.Poll != 0 {
				b.t.Fatalf("unrelayed = %+v", got)
			}
			// Relaying later (after a restart) still says which poll it
			// was not an answer to, until it is relayed.
			b.check(b.st.MarkRelayed(b.ctx, sid(1), t0.Add(time.Hour)), "mark relayed")
			if got := b.unrelayedPolls(); !maps.Equal(got, map[string]int64{sid(2): br.ID, sid(4): 0}) {
				b.t.Fatalf("unrelayed after relaying one = %v", got)
			}
			b.wantTally(br.ID, []int{0, 1}, 1, 2)
		},
		"TallyRefs": func(b *bundle) {
			b.members("crew", 0, 1)
			one, two := b.pendingPoll("crew", shuttle), b.pendingPoll("crew", shuttle)
			if ref, ok, err := b.st.TallyRef(b.ctx, one.ID, "slack"); err != nil || ok || ref != "" {
				b.t.Fatalf("tally ref before any = %q %v %v", ref, ok, err)
			}
			b.check(b.st.SaveTallyRef(b.ctx, one.ID, "slack", "C1/1764300000.000100", t0), "save tally ref")
			b.check(b.st.SaveTallyRef(b.ctx, two.ID, "slack", "C1/1764300000.000200", t0), "save tally ref")
			b.check(b.st.SaveTallyRef(b.ctx, one.ID, "slack", "C1/1764300000.000300", t0.Add(time.Minute)), "replace tally ref")
			for _, c := range []struct {
				id       int64
				platform string
				ref      string
				ok       bool
			}{{one.ID, "slack", "C1/1764300000.000300", true}, {two.ID, "slack", "C1/1764300000.000200", true}, {one.ID, "discord", "", false}} {
				if ref, ok, err := b.st.TallyRef(b.ctx, c.id, c.platform); err != nil || ok != c.ok || ref != c.ref {
					b.t.Fatalf("tally ref of #%d on %s = %q %v %v, want %q %v", c.id, c.platform, ref, ok, err, c.ref, c.ok)
				}
			}
		},
	}
}
