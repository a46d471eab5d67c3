package storetest

import (
	"context"
	"errors"
	"maps"
	"testing"

	"smsbot/broadcast"
	"smsbot/importer"
)

func testLists(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"RenameDropsTheOldNamesParts": func(b *bundle) {
			b.importRows("tix", importer.Row{Line: 2, Raw: phone(5), Phone: phone(5), Name: "Jamie Rivera",
				Fields: map[string]string{"first_name": "Jamie", "last_name": "Rivera", "team": "red"}})
			r, err := b.st.AddMember(b.ctx, "tix", phone(5), "Ada", "alice")
			b.check(err, "rename")
			c := b.contact(phone(5))
			if !r.Renamed || c.Name != "Ada" || c.Fields["first_name"] != "" || c.Fields["last_name"] != "" || c.Fields["team"] != "red" {
				b.t.Fatalf("renamed contact = %+v; want Ada, the old name's first_name and last_name gone, team kept", c)
			}
		},
		"AddMemberCreatesListAndContactOnce": func(b *bundle) {
			r, err := b.st.AddMember(b.ctx, "crew", phone(1), "Ada", "alice")
			b.check(err, "add")
			if !r.ListCreated || !r.ContactCreated || !r.Added || r.List.Name != "crew" || r.Contact.Phone != phone(1) || r.Contact.Name != "Ada" {
				b.t.Fatalf("first add = %+v", r)
			}
			again, err := b.st.AddMember(b.ctx, "CREW", phone(1), "Someone else", "alice")
			b.check(err, "add again")
			if again.ListCreated || again.ContactCreated || again.Added || again.List.ID != r.List.ID ||
				!again.Renamed || again.PreviousName != "Ada" || again.Contact.Name != "Someone else" {
				b.t.Fatalf("adding again (list name in another case) = %+v; want only the name changed", again)
			}
			if c := b.contact(phone(1)); c.Name != "Someone else" {
				b.t.Fatalf("renamed contact = %+v", c)
			}
			same, err := b.st.AddMember(b.ctx, "crew", phone(1), "Someone else", "alice")
			b.check(err, "add with the same name")
			if same.Renamed {
				b.t.Fatalf("the same name is a rename: %+v", same)
			}
			kept, err := b.st.AddMember(b.ctx, "crew", phone(1), "", "alice")
			b.check(err, "add without a name")
			if kept.Renamed || kept.Contact.Name != "Someone else" {
				b.t.Fatalf("no name given changed it: %+v", kept)
			}
			// A contact known without a name gets the first name given.
			if _, err := b.st.OptOut(b.ctx, phone(2), "test"); err != nil {
				b.t.Fatal(err)
			}
			named, err := b.st.AddMember(b.ctx, "crew", phone(2), "Grace", "alice")
			b.check(err, "add named")
			if named.ContactCreated || !named.Added || named.Contact.Name != "Grace" || named.Contact.OptedOutAt == nil {
				b.t.Fatalf("adding a known contact = %+v; want it named, still opted out", named)
			}
			l, err := b.st.ListByName(b.ctx, "Crew")
			b.check(err, "list by name")
			if l.ID != r.List.ID || l.Name != "crew" || l.Members != 2 || !l.CreatedAt.Equal(t0) {
				b.t.Fatalf("list = %+v", l)
			}
			_, err = b.st.ListByName(b.ctx, "nosuch")
			b.wantCode(err, broadcast.ENOTFOUND, "an unknown list")
		},
		"ListsByNameWithCounts": func(b *bundle) {
			b.members("zeta", 0, 1)
			b.members("alpha", 0, 3)
			b.members("mid", 10, 2)
			ls, err := b.st.Lists(b.ctx)
			b.check(err, "lists")
			var got []string
			var n []int
			for _, l := range ls {
				got, n = append(got, l.Name), append(n, l.Members)
			}
			if len(ls) != 3 || got[0] != "alpha" || got[1] != "mid" || got[2] != "zeta" || n[0] != 3 || n[1] != 2 || n[2] != 1 {
				b.t.Fatalf("lists = %q with %v members", got, n)
			}
		},
		"RemoveMemberKeepsTheContact": func(b *bundle) {
			b.sender("+12065550101", 1)
			b.members("crew", 0, 2)
			b.members("board", 0, 1)
			_, before, err := b.st.StickySender(b.ctx, phone(0))
			b.check(err, "sticky sender")
			if _, err := b.st.OptOut(b.ctx, phone(0), "test"); err != nil {
				b.t.Fatal(err)
			}
			b.check(b.st.RemoveMember(b.ctx, "crew", phone(0), "alice"), "remove member")
			if l, err := b.st.ListByName(b.ctx, "crew"); err != nil || l.Members != 1 {
				b.t.Fatalf("crew after removal: %+v, %v", l, err)
			}
			if l, err := b.st.ListByName(b.ctx, "board"); err != nil || l.Members != 1 {
				b.t.Fatalf("another list lost the contact: %+v, %v", l, err)
			}
			c, s, err := b.st.StickySender(b.ctx, phone(0))
			b.check(err, "sticky sender after removal")
			if c.OptedOutAt == nil || s.ID != before.ID {
				b.t.Fatalf("after removal the contact is %+v on sender %d; want it opted out still, on %d", c, s.ID, before.ID)
			}
			b.wantCode(b.st.RemoveMember(b.ctx, "crew", phone(0), "alice"), broadcast.ENOTFOUND, "removing twice")
			b.wantCode(b.st.RemoveMember(b.ctx, "nosuch", phone(1), "alice"), broadcast.ENOTFOUND, "removing from an unknown list")
			b.wantCode(b.st.RemoveMember(b.ctx, "crew", "+12065559999", "alice"), broadcast.ENOTFOUND, "removing an unknown number")
		},
		"OptOutAndIn": func(b *bundle) {
			_, err := b.st.Contact(b.ctx, phone(5))
			b.wantCode(err, broadcast.ENOTFOUND, "an unknown contact")
			// An unknown number becomes a contact, so that a later import
			// keeps it opted out.
			out, err := b.st.OptOut(b.ctx, phone(5), "sms")
			b.check(err, "opt out")
			if out.OptedOutAt == nil || !out.OptedOutAt.Equal(t0) || out.ID == 0 {
				b.t.Fatalf("opted out %+v", out)
			}
			if c := b.contact(phone(5)); c.OptedOutAt == nil {
				b.t.Fatalf("stored contact %+v is not opted out", c)
			}
			r, err := b.st.AddMember(b.ctx, "crew", phone(5), "Ada", "alice")
			b.check(err, "add")
			if r.ContactCreated || r.Contact.OptedOutAt == nil {
				b.t.Fatalf("adding an opted-out number: %+v", r)
			}
			in, err := b.st.OptIn(b.ctx, phone(5), "sms")
			b.check(err, "opt in")
			if in.OptedOutAt != nil || b.contact(phone(5)).OptedOutAt != nil {
				b.t.Fatalf("after opt-in: %+v", in)
			}
			entries, err := b.st.Audit(b.ctx, 2)
			b.check(err, "audit")
			if len(entries) != 2 || entries[0].Action != "contact.opt_in" || entries[1].Action != "list.add" || entries[0].Actor != "sms" {
				b.t.Fatalf("audit = %+v", entries)
			}
		},
		"ImportMergesIntoKnownContacts": func(b *bundle) {
			if _, err := b.st.AddMember(b.ctx, "crew", phone(1), "", "test"); err != nil {
				b.t.Fatal(err)
			}
			if _, err := b.st.AddMember(b.ctx, "board", phone(2), "Grace H.", "test"); err != nil {
				b.t.Fatal(err)
			}
			if _, err := b.st.OptOut(b.ctx, phone(2), "test"); err != nil {
				b.t.Fatal(err)
			}
			write := func(rows ...importer.Row) []importer.Result {
				var res []importer.Result
				b.check(b.st.ImportContacts(b.ctx, "crew", "alice", func(w importer.Writer) error {
					var err error
					res, err = w.Write(b.ctx, rows)
					return err
				}), "import")
				return res
			}
			res := write(
				importer.Row{Line: 2, Phone: phone(1), Name: "Ada", Fields: map[string]string{"team": "red", "size": "M"}},
				importer.Row{Line: 3, Phone: phone(2), Name: "Grace", Fields: map[string]string{"team": "blue"}},
				importer.Row{Line: 4, Phone: phone(3), Name: "Linus"},
			)
			want := []importer.Result{{OnList: true}, {OptedOut: true}, {New: true}}
			if len(res) != 3 || res[0] != want[0] || res[1] != want[1] || res[2] != want[2] {
				b.t.Fatalf("results = %+v, want %+v", res, want)
			}
			// A later file keeps existing values and adds its new columns.
			write(importer.Row{Line: 2, Phone: phone(1), Name: "Ada L.", Fields: map[string]string{"team": "green", "diet": "vegan"}})
			if c := b.contact(phone(1)); c.Name != "Ada" || !maps.Equal(c.Fields, map[string]string{"team": "red", "size": "M", "diet": "vegan"}) {
				b.t.Fatalf("contact after two imports: %+v", c)
			}
			if c := b.contact(phone(2)); c.Name != "Grace H." || c.OptedOutAt == nil || c.Fields["team"] != "blue" {
				b.t.Fatalf("known contact after import: %+v", c)
			}
			if l, err := b.st.ListByName(b.ctx, "crew"); err != nil || l.Members != 3 {
				b.t.Fatalf("crew after import: %+v, %v", l, err)
			}
			entries, err := b.st.Audit(b.ctx, 1)
			b.check(err, "audit")
			if len(entries) != 1 || entries[0].Action != "list.import" || entries[0].Actor != "alice" || entries[0].Detail != "rows=1 new=0" {
				b.t.Fatalf("audit = %+v", entries)
			}
		},
		"ImportIsAllOrNothing": func(b *bundle) {
			rows := []importer.Row{
				{Line: 2, Phone: phone(1), Name: "Ada", Fields: map[string]string{"team": "red"}},
				{Line: 3, Phone: phone(2), Name: "Grace", Fields: map[string]string{"team": "blue"}},
			}
			b.check(b.st.ImportContacts(b.ctx, "crew", "alice", func(w importer.Writer) error {
				res, err := w.Write(b.ctx, rows)
				if err == nil && (len(res) != 2 || !res[0].New || !res[1].New) {
					b.t.Errorf("write results = %+v", res)
				}
				return err
			}), "import")
			if c := b.contact(phone(1)); c.Name != "Ada" || !maps.Equal(c.Fields, map[string]string{"team": "red"}) {
				b.t.Fatalf("imported contact %+v", c)
			}
			boom := errors.New("the file broke")
			err := b.st.ImportContacts(b.ctx, "other", "alice", func(w importer.Writer) error {
				if _, err := w.Write(context.Background(), []importer.Row{{Line: 2, Phone: phone(3)}}); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				b.t.Fatalf("failed import returned %v, want %v", err, boom)
			}
			_, err = b.st.Contact(b.ctx, phone(3))
			b.wantCode(err, broadcast.ENOTFOUND, "a contact of a failed import")
			_, err = b.st.ListByName(b.ctx, "other")
			b.wantCode(err, broadcast.ENOTFOUND, "the list of a failed import")
		},
	})
}
