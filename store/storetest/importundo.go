package storetest

import (
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/importer"
	"smsbot/inbound"
)

// importRows imports rows into list as alice, in batches of one row.
func (b *bundle) importRows(list string, rows ...importer.Row) {
	b.t.Helper()
	b.check(b.st.ImportContacts(b.ctx, list, "alice", func(w importer.Writer) error {
		for _, r := range rows {
			if _, err := w.Write(b.ctx, []importer.Row{r}); err != nil {
				return err
			}
		}
		return nil
	}), "import")
}

func testImportUndo(t *testing.T, open Opener) {
	const day = 24 * time.Hour
	subtests(t, open, map[string]func(*bundle){
		"RemovesWhatTheLastImportAdded": func(b *bundle) {
			b.members("crew", 0, 1)  // on the list before: stays on it
			b.members("other", 1, 1) // known before: stays, off crew
			b.importRows("crew", importer.Row{Phone: phone(0)}, importer.Row{Phone: phone(1)}, importer.Row{Phone: phone(2)},
				importer.Row{Phone: phone(3)}, importer.Row{Phone: phone(4)}, importer.Row{Phone: phone(5)})
			_, err := b.st.OptOut(b.ctx, phone(3), "test")
			b.check(err, "opt out")
			b.members("board", 4, 1)
			b.clock.Advance(time.Hour)
			b.importRows("crew", importer.Row{Phone: phone(0)}) // the newest import adds nothing
			_, err = b.st.UndoImport(b.ctx, "crew", "bob", day)
			b.check(err, "undo the empty import")
			_, err = b.st.UndoImport(b.ctx, "crew", "bob", day)
			b.wantCode(err, broadcast.ECONFLICT, "undo twice")
			b.clock.Advance(time.Hour)
			b.importRows("crew", importer.Row{Phone: phone(6)})
			b.clock.Advance(day + time.Second)
			_, err = b.st.UndoImport(b.ctx, "crew", "bob", day)
			b.wantCode(err, broadcast.ECONFLICT, "an import more than a day old")
			if l, err := b.st.ListByName(b.ctx, "crew"); err != nil || l.Members != 7 {
				b.t.Fatalf("crew after refused undo = %+v, %v", l, err)
			}
		},
		"UndoWithinTheWindow": func(b *bundle) {
			b.members("crew", 0, 1)
			b.members("other", 1, 1)
			b.importRows("crew", importer.Row{Phone: phone(0)}, importer.Row{Phone: phone(1)}, importer.Row{Phone: phone(2)},
				importer.Row{Phone: phone(3)}, importer.Row{Phone: phone(4)}, importer.Row{Phone: phone(5)})
			// After the import, new contacts opt out, join another list
			// and text in: they stay.
			_, err := b.st.OptOut(b.ctx, phone(3), "test")
			b.check(err, "opt out")
			b.members("board", 4, 1)
			_, _, err = b.st.SaveText(b.ctx, inbound.Text{SID: sid(1), From: phone(5), To: "+12065550101", Body: "hi", At: b.clock.Now()}, inbound.NoKeyword)
			b.check(err, "text in")
			b.clock.Advance(day - time.Second)
			u, err := b.st.UndoImport(b.ctx, "CREW", "bob", day)
			b.check(err, "undo")
			if u.List != "crew" || u.Actor != "alice" || !u.At.Equal(t0) || u.Removed != 5 || u.Deleted != 1 {
				b.t.Fatalf("undo = %+v; want 5 removed (1 to 5), 1 deleted (2)", u)
			}
			_, page, err := b.st.Members(b.ctx, "crew", 0, 10)
			b.check(err, "members")
			if len(page) != 1 || page[0].Phone != phone(0) {
				b.t.Fatalf("crew = %+v", page)
			}
			b.contact(phone(1))
			if c := b.contact(phone(3)); c.OptedOutAt == nil {
				b.t.Fatal("the opted-out contact lost its opt-out")
			}
			b.contact(phone(4))
			b.contact(phone(5))
			_, err = b.st.Contact(b.ctx, phone(2))
			b.wantCode(err, broadcast.ENOTFOUND, "the contact only the import had")
			_, err = b.st.UndoImport(b.ctx, "nosuch", "bob", day)
			b.wantCode(err, broadcast.ENOTFOUND, "an unknown list")
			_, err = b.st.UndoImport(b.ctx, "other", "bob", day)
			b.wantCode(err, broadcast.ENOTFOUND, "a list never imported into")
		},
	})
}
