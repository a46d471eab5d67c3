package bot_test

import (
	"context"
	"testing"
)

// TestAddToANewListCloseToAnOld: a new list whose name is close to an
// existing one is still created, and the answer says what was maybe meant
// and how to take it back. Before, "frends" was created without a word.
func TestAddToANewListCloseToAnOld(t *testing.T) {
	b := setup(t, "alice")
	b.do("alice", "add friends +12065550101 Ada")
	got := b.do("alice", "add frends +12065550102 Cy")
	want := "Created list frends (did you mean friends? `/sms lists delete frends` takes it back); added Cy (+12065550102) to frends."
	if len(got) != 1 || got[0].Text != want {
		t.Fatalf("answer = %+v, want %q", got, want)
	}
	if l, err := b.store.ListByName(context.Background(), "frends"); err != nil || l.Members != 1 {
		t.Fatalf("frends = %+v, %v", l, err)
	}
	got = b.do("alice", "add frends +12065550103")
	if len(got) != 1 || got[0].Text != "Added +12065550103 to frends." {
		t.Fatalf("second add to frends: %+v", got)
	}
	got = b.do("alice", "add crew +12065550104")
	if len(got) != 1 || got[0].Text != "Created list crew; added +12065550104 to crew." {
		t.Fatalf("add to a new list unlike others: %+v", got)
	}
}

// TestAddWithListAndNameSwapped: "add Bob +1… friends", with friends a list
// and Bob not, is refused with the corrected command. Before, it created a
// list called Bob.
func TestAddWithListAndNameSwapped(t *testing.T) {
	b := setup(t, "alice")
	b.do("alice", "add friends +12065550101 Ada")
	b.refused(t, "alice", "add Bob +12065550105 friends",
		"friends is a list and Bob is not: did you mean /sms add friends +12065550105 Bob?")
	b.refused(t, "alice", `add Bob (206) 555-0105 "friends"`, "did you mean /sms add friends +12065550105 Bob?")
	// With Bob a list too, it is what was typed.
	b.do("alice", "add Bob +12065550106")
	if got := b.do("alice", "add Bob +12065550105 friends"); len(got) != 1 || got[0].Text != "Added friends (+12065550105) to Bob." {
		t.Fatalf("add to two lists: %+v", got)
	}
}
