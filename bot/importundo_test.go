package bot_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"smsbot/bot"
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
}

// TestImportUndoNeverImports: "import undo <x>" always means undo. Before,
// a file name after undo imported the file into a new list called undo.
func TestImportUndoNeverImports(t *testing.T) {
	b := setup(t, "console")
	ctx := context.Background()
	b.importFixture(t, "crew", "crew.csv")
	for _, tt := range []struct{ cmd, want string }{
		{"import undo crew.csv", "there is no list named crew.csv, and import undo takes a list; to import the file crew.csv into a list, write /sms import <list> crew.csv"},
		{"import undo ./data/big.csv", "write /sms import <list> ./data/big.csv"},
		{"import undo crw", "there is no list named"},
		{"import undo crw", "did you mean crew?"},
		{"import undo crew.csv crew", "usage: /sms import undo <list>"},
		{"add undo +12065550001", "a list cannot be called undo: /sms import undo <list> uses the word; choose another name"},
		{"lists rename crew UNDO", "a list cannot be called UNDO"},
	} {
		f, err := os.Open(filepath.Join("..", "testdata", "csv", "crew.csv"))
		if err != nil {
			t.Fatal(err)
		}
		before := b.rows(t)
		b.router.Command(ctx, bot.Invocation{User: "console", Channel: "test", Text: tt.cmd, Files: oneFile{f}}, b.conv)
		f.Close()
		oneError(t, b.conv.take(), tt.want)
		if after := b.rows(t); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("%q changed rows: %v → %v", tt.cmd, before, after)
		}
	}
	if _, err := b.store.ListByName(ctx, "undo"); err == nil {
		t.Fatal("a list called undo was created")
	}
}
