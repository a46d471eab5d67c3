package bot_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"smsbot/bot"
)

// TestWordingOfListCommands: the wording bugs review 14 found in list,
// number and import answers.
func TestWordingOfListCommands(t *testing.T) {
	b := setup(t, "alice")
	ctx := context.Background()
	b.do("alice", "add big +12065550001 Ada")
	// One row is one row.
	b.router.Command(ctx, bot.Invocation{User: "alice", Channel: "test", Text: "import big one.csv",
		Files: oneFile{io.NopCloser(strings.NewReader("phone\n+12065550002\n"))}}, b.conv)
	if got := b.conv.take(); len(got) != 1 || !strings.HasPrefix(got[0].Text, "1 row: 1 new, 0 already present.") {
		t.Fatalf("import of one row: %+v", got)
	}
	// A rename to the same name changes nothing and is not audited.
	before := b.rows(t)
	if got := b.do("alice", "lists rename big big"); len(got) != 1 || got[0].Text != "big is already called big." {
		t.Fatalf("rename to itself: %+v", got)
	}
	if after := b.rows(t); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("rename to itself changed rows: %v → %v", before, after)
	}
	// A number removed and added again is added, not updated.
	b.do("alice", "numbers add +15005550006 1")
	b.do("alice", "numbers remove +15005550006")
	if got := b.do("alice", "numbers add +15005550006 1"); len(got) != 1 || !strings.HasPrefix(got[0].Text, "Added +15005550006 at 1 segment/s.") {
		t.Fatalf("re-adding a removed number: %+v", got)
	}
	if got := b.do("alice", "numbers add +15005550006 2"); len(got) != 1 || !strings.HasPrefix(got[0].Text, "Updated +15005550006 at 2 segments/s.") {
		t.Fatalf("a new rate: %+v", got)
	}
	b.refused(t, "alice", "remove big +12065550009", "+12065550009 is not on list big", `"big"`)
}

// TestImportUndoSaysWhatItKept: the contacts an import created that stay
// after an undo are counted, with why. Before, the answer was silent
// about them.
func TestImportUndoSaysWhatItKept(t *testing.T) {
	b := setup(t, "console")
	b.do("console", "numbers add +12065550199 100")
	b.importFixture(t, "crew", "crew.csv")
	b.do("console", "send crew hi")
	b.click("console", "approve:1")
	b.waitDone(t, 1)
	got := b.do("console", "import undo crew")
	if len(got) != 1 || !strings.Contains(got[0].Text, ": 2 contacts taken off the list; 2 contacts it created stay: they have texts.") {
		t.Fatalf("undo after sending: %+v", got)
	}
	b.importFixture(t, "crew", "crew.csv")
	b.do("console", "add other +12065550100")
	got = b.do("console", "import undo crew")
	if len(got) != 1 || !strings.Contains(got[0].Text, ": 2 contacts taken off the list.") {
		t.Fatalf("second undo (created nothing): %+v", got)
	}
	c := setup(t, "console")
	c.importFixture(t, "crew", "crew.csv")
	c.do("console", "add other +12065550100")
	got = c.do("console", "import undo crew")
	if len(got) != 1 || !strings.Contains(got[0].Text, "of which the 1 it had created and that are on no other list were deleted; 1 contact it created stays: it is on another list.") {
		t.Fatalf("undo with one on another list: %+v", got)
	}
}
