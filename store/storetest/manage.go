package storetest

import (
	"testing"

	"smsbot/broadcast"
)

func testManage(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"MembersPagedWithSenderAndStatus": func(b *bundle) {
			b.sender("+12065550101", 1)
			b.members("crew", 0, 5)
			_, err := b.st.AddMember(b.ctx, "crew", phone(9), "", "test")
			b.check(err, "add nameless")
			_, err = b.st.OptOut(b.ctx, phone(1), "test")
			b.check(err, "opt out")
			b.members("other", 100, 3)
			l, page, err := b.st.Members(b.ctx, "CREW", 0, 4)
			b.check(err, "members")
			if l.Name != "crew" || l.Members != 6 || len(page) != 4 || page[0].Phone != phone(0) || page[0].Name != "Contact 0" ||
				page[1].OptedOutAt == nil || page[0].Sender != "" {
				b.t.Fatalf("page 1 = %+v of %+v", page, l)
			}
			_, page, err = b.st.Members(b.ctx, "crew", 4, 4)
			b.check(err, "members page 2")
			if len(page) != 2 || page[0].Phone != phone(4) || page[1].Phone != phone(9) {
				b.t.Fatalf("page 2 = %+v; want Contact 4 and the nameless one last", page)
			}
			b.sending("crew", "hi") // assigns senders
			_, page, err = b.st.Members(b.ctx, "crew", 0, 1)
			b.check(err, "members after sending")
			if page[0].Sender != "+12065550101" {
				b.t.Fatalf("sender = %q", page[0].Sender)
			}
			_, _, err = b.st.Members(b.ctx, "nosuch", 0, 1)
			b.wantCode(err, broadcast.ENOTFOUND, "an unknown list")
		},
		"RenameList": func(b *bundle) {
			b.members("crew", 0, 2)
			b.members("board", 10, 1)
			_, err := b.st.RenameList(b.ctx, "crew", "BOARD", "alice")
			b.wantCode(err, broadcast.ECONFLICT, "a taken name in another case")
			_, err = b.st.RenameList(b.ctx, "nosuch", "x", "alice")
			b.wantCode(err, broadcast.ENOTFOUND, "an unknown list")
			l, err := b.st.RenameList(b.ctx, "Crew", "team", "alice")
			b.check(err, "rename")
			got, err := b.st.ListByName(b.ctx, "team")
			b.check(err, "renamed")
			if l.Name != "team" || got.ID != l.ID || got.Members != 2 {
				b.t.Fatalf("renamed = %+v, read back %+v", l, got)
			}
			_, err = b.st.RenameList(b.ctx, "team", "Team", "alice")
			b.check(err, "a change of case")
			entries, err := b.st.Audit(b.ctx, 1)
			b.check(err, "audit")
			if entries[0].Action != "list.rename" || entries[0].Subject != "Team" || entries[0].Detail != "was team" {
				b.t.Fatalf("audit = %+v", entries[0])
			}
		},
		"DeleteListKeepsContacts": func(b *bundle) {
			b.members("crew", 0, 2)
			b.members("board", 1, 2)
			l, err := b.st.ListByName(b.ctx, "crew")
			b.check(err, "list")
			b.check(b.st.CheckDeleteList(b.ctx, l.ID), "check")
			del, err := b.st.DeleteList(b.ctx, l.ID, "alice")
			b.check(err, "delete")
			if del.Name != "crew" || del.Members != 2 {
				b.t.Fatalf("deleted = %+v", del)
			}
			_, err = b.st.DeleteList(b.ctx, l.ID, "alice")
			b.wantCode(err, broadcast.ENOTFOUND, "a second delete")
			_, err = b.st.ListByName(b.ctx, "crew")
			b.wantCode(err, broadcast.ENOTFOUND, "the deleted list")
			b.contact(phone(0))
			if bl, err := b.st.ListByName(b.ctx, "board"); err != nil || bl.Members != 2 {
				b.t.Fatalf("other list = %+v, %v", bl, err)
			}
			// The name is free again.
			r, err := b.st.AddMember(b.ctx, "crew", phone(0), "", "test")
			b.check(err, "re-create")
			if !r.ListCreated || r.ContactCreated {
				b.t.Fatalf("re-created = %+v", r)
			}
		},
		"DeleteListRefusedWithHistory": func(b *bundle) {
			b.members("crew", 0, 1)
			br := b.pending("crew", "hi")
			b.wantCode(b.st.CheckDeleteList(b.ctx, br.ListID), broadcast.ECONFLICT, "check")
			_, err := b.st.DeleteList(b.ctx, br.ListID, "alice")
			b.wantCode(err, broadcast.ECONFLICT, "delete")
			if l, err := b.st.ListByName(b.ctx, "crew"); err != nil || l.Members != 1 {
				b.t.Fatalf("list after refusal = %+v, %v", l, err)
			}
		},
	})
}
