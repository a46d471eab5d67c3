package storetest

import (
	"slices"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/inbound"
)

func (b *bundle) save(t inbound.Text, k inbound.Keyword) (inbound.Saved, bool) {
	b.t.Helper()
	s, fresh, err := b.st.SaveText(b.ctx, t, k)
	b.check(err, "save text "+t.SID)
	return s, fresh
}

func (b *bundle) unrelayed() []inbound.Saved {
	b.t.Helper()
	out, err := b.st.Unrelayed(b.ctx, 100)
	b.check(err, "unrelayed")
	return out
}

func testInbound(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"SavedOncePerSID": func(b *bundle) {
			b.members("crew", 0, 1)
			b.members("board", 0, 1)
			text := inbound.Text{SID: sid(1), From: phone(0), To: "+12065550101", Body: "See you there\nBring snacks?",
				Media: []string{"https://example.com/a.jpg", "https://example.com/b.jpg"}, At: t0}
			s, fresh := b.save(text, inbound.NoKeyword)
			if !fresh || s.Contact.Phone != phone(0) || s.Contact.Name != "Contact 0" || !slices.Equal(s.Lists, []string{"board", "crew"}) {
				b.t.Fatalf("saved %+v fresh %v", s, fresh)
			}
			again, fresh := b.save(text, inbound.NoKeyword)
			if fresh || again.Contact.ID != s.Contact.ID {
				b.t.Fatalf("saving the same SID again: %+v fresh %v", again, fresh)
			}
			if n, err := b.st.IncomingTotal(b.ctx); err != nil || n != 1 {
				b.t.Fatalf("incoming total = %d, %v", n, err)
			}
			got := b.unrelayed()
			if len(got) != 1 || got[0].Text.SID != text.SID || got[0].Text.Body != text.Body || !slices.Equal(got[0].Text.Media, text.Media) ||
				!got[0].Text.At.Equal(t0) || got[0].Text.To != text.To || got[0].Contact.ID != s.Contact.ID || !slices.Equal(got[0].Lists, s.Lists) {
				b.t.Fatalf("unrelayed = %+v", got)
			}
		},
		"UnknownNumberBecomesAContact": func(b *bundle) {
			s, fresh := b.save(inbound.Text{SID: sid(1), From: phone(7), To: "+12065550101", Body: "STOP", At: t0}, inbound.Stop)
			if !fresh || s.Contact.ID == 0 || len(s.Lists) != 0 || s.Keyword != inbound.Stop {
				b.t.Fatalf("saved %+v", s)
			}
			if c := b.contact(phone(7)); c.ID != s.Contact.ID {
				b.t.Fatalf("contact %+v, saved with %+v", c, s.Contact)
			}
			if got := b.unrelayed(); len(got) != 1 || got[0].Keyword != inbound.Stop || got[0].Text.Media != nil {
				b.t.Fatalf("unrelayed = %+v", got)
			}
		},
		"RelayedInOrder": func(b *bundle) {
			for i := range 3 {
				b.save(inbound.Text{SID: sid(i), From: phone(i), To: "+12065550101", Body: "hi", At: t0.Add(time.Duration(i) * time.Second)}, inbound.NoKeyword)
			}
			got := b.unrelayed()
			if len(got) != 3 || got[0].Text.SID != sid(0) || got[2].Text.SID != sid(2) {
				b.t.Fatalf("unrelayed = %+v", got)
			}
			b.check(b.st.MarkRelayed(b.ctx, sid(1), t0), "mark relayed")
			b.check(b.st.MarkRelayed(b.ctx, sid(42), t0), "mark an unknown SID relayed")
			if got := b.unrelayed(); len(got) != 2 || got[0].Text.SID != sid(0) || got[1].Text.SID != sid(2) {
				b.t.Fatalf("unrelayed after relaying the second = %+v", got)
			}
			if few, err := b.st.Unrelayed(b.ctx, 1); err != nil || len(few) != 1 || few[0].Text.SID != sid(0) {
				b.t.Fatalf("unrelayed with limit 1 = %+v, %v", few, err)
			}
		},
		"AutoReplyOncePerPeriod": func(b *bundle) {
			c := b.members("crew", 0, 1)[0]
			other := b.members("crew", 1, 1)[0]
			claim := func(id int64, at time.Time) bool {
				ok, err := b.st.ClaimAutoReply(b.ctx, id, at, time.Hour)
				b.check(err, "claim auto-reply")
				return ok
			}
			if !claim(c.ID, t0) {
				b.t.Fatal("the first auto-reply was refused")
			}
			if claim(c.ID, t0.Add(59*time.Minute)) {
				b.t.Fatal("a second auto-reply within the hour was claimed")
			}
			if !claim(other.ID, t0.Add(time.Minute)) {
				b.t.Fatal("another contact's auto-reply was refused")
			}
			if !claim(c.ID, t0.Add(time.Hour)) {
				b.t.Fatal("the auto-reply an hour later was refused")
			}
			if claim(c.ID, t0.Add(90*time.Minute)) {
				b.t.Fatal("the period did not restart at the last auto-reply")
			}
		},
		"Threads": func(b *bundle) {
			cs := b.members("crew", 0, 2)
			if ref, err := b.st.Thread(b.ctx, cs[0].ID, "slack"); err != nil || ref != "" {
				b.t.Fatalf("thread before any = %q, %v", ref, err)
			}
			b.check(b.st.SetThread(b.ctx, cs[0].ID, "slack", "1764300000.000100"), "set thread")
			b.check(b.st.SetThread(b.ctx, cs[0].ID, "discord", "1311980000000000001"), "set thread")
			b.check(b.st.SetThread(b.ctx, cs[1].ID, "slack", "1764300000.000200"), "set thread")
			b.check(b.st.SetThread(b.ctx, cs[0].ID, "slack", "1764300000.000300"), "replace thread")
			if ref, err := b.st.Thread(b.ctx, cs[0].ID, "slack"); err != nil || ref != "1764300000.000300" {
				b.t.Fatalf("thread = %q, %v", ref, err)
			}
			if c, err := b.st.ContactByThread(b.ctx, "discord", "1311980000000000001"); err != nil || c.ID != cs[0].ID {
				b.t.Fatalf("contact of the discord thread = %+v, %v", c, err)
			}
			if c, err := b.st.ContactByThread(b.ctx, "slack", "1764300000.000200"); err != nil || c.ID != cs[1].ID {
				b.t.Fatalf("contact of a slack thread = %+v, %v", c, err)
			}
			_, err := b.st.ContactByThread(b.ctx, "slack", "1764300000.000100")
			b.wantCode(err, broadcast.ENOTFOUND, "a replaced thread")
			_, err = b.st.ContactByThread(b.ctx, "discord", "1764300000.000200")
			b.wantCode(err, broadcast.ENOTFOUND, "another platform's thread")
		},
		"Cursors": func(b *bundle) {
			if v, err := b.st.Cursor(b.ctx, "poll:+12065550101"); err != nil || v != "" {
				b.t.Fatalf("cursor before any = %q, %v", v, err)
			}
			b.check(b.st.SetCursor(b.ctx, "poll:+12065550101", "2026-12-01T15:00:00Z"), "set cursor")
			b.check(b.st.SetCursor(b.ctx, "poll:+12065550102", "a"), "set cursor")
			b.check(b.st.SetCursor(b.ctx, "poll:+12065550101", "2026-12-01T15:05:00Z"), "move cursor")
			if v, err := b.st.Cursor(b.ctx, "poll:+12065550101"); err != nil || v != "2026-12-01T15:05:00Z" {
				b.t.Fatalf("cursor = %q, %v", v, err)
			}
			if v, err := b.st.Cursor(b.ctx, "poll:+12065550102"); err != nil || v != "a" {
				b.t.Fatalf("other cursor = %q, %v", v, err)
			}
		},
	})
}
