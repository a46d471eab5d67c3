package storetest

import (
	"testing"

	"smsbot/broadcast"
)

func testSenders(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"AddListsAndChangesRate": func(b *bundle) {
			a, created, err := b.st.AddSender(b.ctx, "+12065550101", 1, "alice")
			b.check(err, "add")
			if !created || a.ID == 0 || a.Address != "+12065550101" || a.Rate != 1 || !a.Enabled || !a.CreatedAt.Equal(t0) {
				b.t.Fatalf("added %+v created %v", a, created)
			}
			mg := b.sender("MG0123456789abcdef0123456789abcdef", 100)
			again, created, err := b.st.AddSender(b.ctx, "+12065550101", 3, "alice")
			b.check(err, "re-add")
			if created || again.ID != a.ID || again.Rate != 3 || !again.Enabled {
				b.t.Fatalf("re-adding an enabled sender gave %+v created %v; want its rate changed", again, created)
			}
			all, err := b.st.Senders(b.ctx)
			b.check(err, "senders")
			if len(all) != 2 || all[0].ID != a.ID || all[0].Rate != 3 || all[1].ID != mg.ID || !all[1].IsService() {
				b.t.Fatalf("senders = %+v", all)
			}
			entries, err := b.st.Audit(b.ctx, 10)
			b.check(err, "audit")
			if len(entries) != 3 || entries[0].Action != "sender.add" || entries[0].Actor != "alice" || entries[0].Subject != "+12065550101" || entries[0].Detail != "rate=3" {
				b.t.Fatalf("audit = %+v", entries)
			}
		},
		"RemoveDisablesAndReAddEnables": func(b *bundle) {
			a := b.sender("+12065550101", 1)
			keep := b.sender("+12065550102", 1)
			moved, err := b.st.RemoveSender(b.ctx, a.Address, "alice")
			b.check(err, "remove")
			if moved != 0 {
				b.t.Fatalf("removing a sender without contacts moved %d", moved)
			}
			all, err := b.st.Senders(b.ctx)
			b.check(err, "senders")
			if len(all) != 2 || all[0].Enabled || !all[1].Enabled {
				b.t.Fatalf("after removal: %+v", all)
			}
			loads, err := b.st.SenderLoads(b.ctx)
			b.check(err, "loads")
			if len(loads) != 1 || loads[keep.ID].Contacts != 0 {
				b.t.Fatalf("loads after removal = %v, want only sender %d", loads, keep.ID)
			}
			_, err = b.st.RemoveSender(b.ctx, a.Address, "alice")
			b.wantCode(err, broadcast.ENOTFOUND, "removing twice")
			_, err = b.st.RemoveSender(b.ctx, "+12065559999", "alice")
			b.wantCode(err, broadcast.ENOTFOUND, "removing an unknown number")
			back, created, err := b.st.AddSender(b.ctx, a.Address, 2, "alice")
			b.check(err, "re-add")
			if created || back.ID != a.ID || !back.Enabled || back.Rate != 2 {
				b.t.Fatalf("re-adding a removed sender gave %+v created %v; want it enabled again", back, created)
			}
		},
		"StickySenderIsLeastLoadedAndStays": func(b *bundle) {
			b.members("crew", 0, 3)
			_, _, err := b.st.StickySender(b.ctx, phone(0))
			b.wantCode(err, broadcast.EINVALID, "a sticky sender without senders")
			_, _, err = b.st.StickySender(b.ctx, "+12065559999")
			b.wantCode(err, broadcast.ENOTFOUND, "the sticky sender of an unknown number")
			s1 := b.sender("+12065550101", 1)
			s2 := b.sender("+12065550102", 1)
			got := map[int64]int{}
			for i := range 3 {
				c, s, err := b.st.StickySender(b.ctx, phone(i))
				b.check(err, "sticky sender")
				if c.Phone != phone(i) {
					b.t.Fatalf("sticky sender of %s returned contact %+v", phone(i), c)
				}
				got[s.ID]++
			}
			if got[s1.ID]+got[s2.ID] != 3 || got[s1.ID] == 0 || got[s2.ID] == 0 {
				b.t.Fatalf("contacts per sender = %v, want spread over both", got)
			}
			before := map[string]int64{}
			for i := range 3 {
				_, s, err := b.st.StickySender(b.ctx, phone(i))
				b.check(err, "sticky sender")
				before[phone(i)] = s.ID
			}
			b.sender("+12065550103", 1) // adding a sender moves no one
			b.sender(s1.Address, 5)     // nor does changing a rate
			for p, id := range before {
				if _, s, err := b.st.StickySender(b.ctx, p); err != nil || s.ID != id {
					b.t.Fatalf("%s moved from sender %d to %d (%v)", p, id, s.ID, err)
				}
			}
			loads, err := b.st.SenderLoads(b.ctx)
			b.check(err, "loads")
			if len(loads) != 3 || loads[s1.ID].Contacts != got[s1.ID] || loads[s2.ID].Contacts != got[s2.ID] {
				b.t.Fatalf("loads = %v, want %v and an empty third sender", loads, got)
			}
		},
		"RemoveMovesContactsEvenly": func(b *bundle) {
			gone := b.sender("+12065550101", 1)
			b.members("crew", 0, 7)
			for i := range 7 {
				_, _, err := b.st.StickySender(b.ctx, phone(i))
				b.check(err, "sticky sender")
			}
			s2 := b.sender("+12065550102", 1)
			s3 := b.sender("+12065550103", 1)
			moved, err := b.st.RemoveSender(b.ctx, gone.Address, "alice")
			b.check(err, "remove")
			if moved != 7 {
				b.t.Fatalf("moved %d contacts, want 7", moved)
			}
			per := map[int64]int{}
			for i := range 7 {
				_, s, err := b.st.StickySender(b.ctx, phone(i))
				b.check(err, "sticky sender")
				per[s.ID]++
			}
			if per[s2.ID]+per[s3.ID] != 7 || per[s2.ID] < 3 || per[s3.ID] < 3 {
				b.t.Fatalf("contacts per sender after removal = %v, want 3 and 4", per)
			}
		},
		"RemoveMovesQueuedTextsWithTheirContacts": func(b *bundle) {
			gone := b.sender("+12065550101", 1)
			b.members("crew", 0, 4)
			br := b.sending("crew", "Doors open at 7pm")
			if n := len(b.queued(gone.ID)); n != 4 {
				b.t.Fatalf("%d texts queued on the only sender, want 4", n)
			}
			other := b.sender("+12065550102", 1)
			if _, err := b.st.RemoveSender(b.ctx, gone.Address, "alice"); err != nil {
				b.t.Fatal(err)
			}
			if n := len(b.queued(gone.ID)); n != 0 {
				b.t.Fatalf("%d texts still queued on the removed sender", n)
			}
			moved := b.queued(other.ID)
			if len(moved) != 4 {
				b.t.Fatalf("%d texts queued on the remaining sender, want 4", len(moved))
			}
			for _, m := range moved {
				if m.SenderID != other.ID || m.BroadcastID != br.ID {
					b.t.Fatalf("moved row %+v", m)
				}
			}
			if rem, err := b.st.RemainingBySender(b.ctx, br.ID); err != nil || len(rem) != 1 || rem[other.ID] != 4 {
				b.t.Fatalf("remaining by sender = %v, %v; want 4 segments on %d", rem, err, other.ID)
			}
		},
	})
}
