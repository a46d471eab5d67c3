package bot_test

import (
	"context"
	"strings"
	"testing"
)

func TestImportUndo(t *testing.T) {
	b := setup(t, "console")
	ctx := context.Background()
	b.do("console", "add crew +12065550199 Zed")
	b.do("console", "add other +12065550100") // Ada is known before, without a name
	b.importFixture(t, "crew", "crew.csv")
	if l, err := b.store.ListByName(ctx, "crew"); err != nil || l.Members != 3 {
		t.Fatalf("after import: %+v, %v", l, err)
	}
	b.refused(t, "mallory", "import undo crew", "only smsbot admins")
	b.refused(t, "console", "import undo crw", `no list named "crw"; did you mean crew?`)
	b.refused(t, "console", "import undo other", "nothing was imported into other, so there is no import to undo")
	b.refused(t, "console", "import undo", "usage: /sms import undo <list>")
	got := b.do("console", "import undo crew")
	if len(got) != 1 || !strings.HasPrefix(got[0].Text, "Undid the import into crew of ") ||
		!strings.Contains(got[0].Text, " by console: 2 contacts taken off the list, of which the 1 it had created and that are on no other list were deleted.") {
		t.Fatalf("undo: %+v", got)
	}
	members := b.do("console", "list crew")
	if len(members) != 1 || members[0].Text != "Zed · +12065550199 · no sender yet" {
		t.Fatalf("crew after undo: %+v", members)
	}
	// Ada was known before: she stays, with the name the import gave her.
	if c, err := b.store.Contact(ctx, "+12065550100"); err != nil || c.Name != "Ada Lovelace" {
		t.Fatalf("Ada after undo: %+v, %v", c, err)
	}
	b.refused(t, "console", "contact +12065550101", "+12065550101 is not a known contact")
	b.refused(t, "console", "import undo crew", "the last import into crew was already undone")
	entries, err := b.store.Audit(ctx, 1)
	if err != nil || len(entries) != 1 || entries[0].Action != "list.import_undo" || entries[0].Subject != "crew" ||
		!strings.Contains(entries[0].Detail, "removed=2 deleted=1") {
		t.Fatalf("audit = %+v, %v", entries, err)
	}
	// A file after "undo" is an import into a list called undo.
	b.importFixture(t, "undo", "crew.csv")
	if l, err := b.store.ListByName(ctx, "undo"); err != nil || l.Members != 2 {
		t.Fatalf("list undo: %+v, %v", l, err)
	}
}
