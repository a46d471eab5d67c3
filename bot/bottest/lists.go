package bottest

import (
	"strings"
	"testing"
)

// The scenarios of list and contact management: looking at lists and
// contacts, renaming and deleting lists, forgetting a contact, and the
// answers to wrong input and to users who are not admins.

func listMembers(t *testing.T, newChat Factory) {
	c := newChat(t, Setup{Admins: []string{"alice"}})
	seed(t, c, "alice")
	c.Type(t, "mallory", "list crew") // reading is for everyone
	for _, want := range []string{"crew · 3 members", "Ada · +12065550001 · no sender yet", "Grace · +12065550002", "+12065550003 · no sender yet"} {
		c.WaitFor(t, want)
	}
	c.Type(t, "alice", "add crew +1 206 555 0002 Grace Hopper")
	c.WaitFor(t, "updated Grace Hopper's name (was Grace)")
	c.Type(t, "alice", "lists rename crew team")
	c.WaitFor(t, "Renamed list crew to team.")
	c.Type(t, "alice", "members team")
	c.WaitFor(t, "team · 3 members")
	c.WaitFor(t, "Grace Hopper · +12065550002")
}

func listDelete(t *testing.T, newChat Factory) {
	c := newChat(t, Setup{Admins: []string{"alice", "bob"}})
	seed(t, c, "alice")
	c.Type(t, "alice", "add Bob +12065550001 Ada") // the mistake: a list named Bob
	c.WaitFor(t, "Created list Bob")
	c.Type(t, "alice", "lists delete Bob")
	c.WaitFor(t, "Delete list Bob?")
	c.Press(t, "alice", c.Button(t, "Cancel")) // changes nothing
	c.WaitFor(t, "Kept Bob.")
	c.Type(t, "alice", "lists")
	c.WaitFor(t, "Bob · 1 contact")
	c.Type(t, "alice", "lists delete Bob")
	c.WaitFor(t, "Delete list Bob?")
	del := c.Button(t, "Delete Bob")
	c.Press(t, "mallory", del)
	c.WaitFor(t, "only smsbot admins")
	// A second click, on the message as it was before the edit: the
	// router says the list is gone, or the adapter that no such button
	// is shown any more.
	c.Press(t, "alice", del)
	c.Press(t, "bob", del)
	c.WaitFor(t, "List Bob deleted")
	c.Type(t, "alice", "lists")
	if got := c.WaitFor(t, "crew"); strings.Contains(got, "Bob") {
		t.Errorf("the deleted list is still shown:\n%s", got)
	}
	c.Type(t, "alice", "contact +12065550001")
	c.WaitFor(t, "Lists: crew")
}

func contactAndForget(t *testing.T, newChat Factory) {
	c := newChat(t, Setup{Admins: []string{"alice"}})
	seed(t, c, "alice")
	c.Type(t, "alice", "send crew Dinner is served")
	c.WaitFor(t, "waiting for approval")
	Click(t, c, "alice", "Approve")
	c.WaitFor(t, "finished")
	c.Type(t, "alice", "contact (206) 555-0001")
	for _, want := range []string{"Ada (+12065550001)", "Lists: crew", "Sender: +1206555010", "Not opted out", "broadcast #1 · sent", "Dinner is served"} {
		c.WaitFor(t, want)
	}
	c.Type(t, "alice", "forget +12065550001")
	c.WaitFor(t, "Forget Ada (+12065550001)?")
	c.Press(t, "alice", c.Button(t, "Cancel")) // changes nothing
	c.WaitFor(t, "Nothing forgotten.")
	c.Type(t, "alice", "contact +12065550001")
	c.WaitFor(t, "Ada (+12065550001)")
	c.Type(t, "alice", "forget +12065550001")
	c.WaitFor(t, "Forget Ada (+12065550001)?")
	forget := c.Button(t, "Forget +12065550001")
	c.Press(t, "mallory", forget)
	c.WaitFor(t, "only smsbot admins")
	c.Press(t, "alice", forget)
	c.Press(t, "alice", forget) // double click
	c.WaitFor(t, "Contact forgotten")
	c.Type(t, "alice", "contact +12065550001")
	c.WaitFor(t, "+12065550001 is not a known contact")
	c.Type(t, "alice", "list crew")
	if got := c.WaitFor(t, "crew · 2 members"); strings.Contains(got, "Ada") {
		t.Errorf("the forgotten contact is still listed:\n%s", got)
	}
	assertTexts(t, c, 3)
}

func listBadInput(t *testing.T, newChat Factory) {
	c := newChat(t, Setup{Admins: []string{"alice"}})
	seed(t, c, "alice")
	for _, tt := range []struct{ user, cmd, want string }{
		{"alice", "list crw", "did you mean crew"},
		{"alice", "list crew 9", "page 9 is empty"},
		{"alice", "lists rename crew", "usage: /sms lists rename"},
		{"alice", "lists delete nosuch", `no list named "nosuch"`},
		{"alice", "contact crew", "crew is a list, not a phone number"},
		{"alice", "forget 12", "not a phone number"},
		{"mallory", "lists rename crew team", "only smsbot admins"},
		{"mallory", "lists delete crew", "only smsbot admins"},
		{"mallory", "forget +12065550001", "only smsbot admins"},
	} {
		c.Type(t, tt.user, tt.cmd)
		if got := c.WaitFor(t, tt.want); strings.Count(strings.TrimSpace(got), "\n") > 0 {
			t.Errorf("%q: answer is more than one line:\n%s", tt.cmd, got)
		}
	}
	c.Type(t, "alice", "list crew")
	c.WaitFor(t, "crew · 3 members")
}
