package bot_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// refused runs cmd and checks it got one ephemeral warning line with want
// (and none of notWant), and that it wrote nothing.
func (b *routerBundle) refused(t *testing.T, user, cmd, want string, notWant ...string) {
	t.Helper()
	before := b.rows(t)
	posts := b.do(user, cmd)
	if len(posts) != 1 {
		t.Fatalf("%q: %d answers, want 1: %+v", cmd, len(posts), posts)
	}
	m := posts[0]
	if !m.Ephemeral || strings.Contains(m.Text, "\n") || !strings.HasPrefix(m.Text, "⚠️ ") || !strings.Contains(m.Text, want) {
		t.Fatalf("%q answered %+v, want one ephemeral line with %q", cmd, m, want)
	}
	for _, bad := range notWant {
		if strings.Contains(m.Text, bad) {
			t.Fatalf("%q answered %q, which should not have %q", cmd, m.Text, bad)
		}
	}
	if after := b.rows(t); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("%q changed rows: %v → %v", cmd, before, after)
	}
}

func TestCommandWordInAnyCase(t *testing.T) {
	b := setup(t, "alice")
	b.do("alice", "add crew +12065550001 Ada")
	tests := []struct{ cmd, want string }{
		{"/SMS lists", "crew · 1 contact"},
		{"/Sms LISTS", "crew · 1 contact"},
		{"/sms Lists", "crew · 1 contact"},
		{"Numbers ADD +12065550103 2", "Added +12065550103"},
		{"NUMBERS", "+12065550103"},
		{"HELP", "/sms send <list> <message>"},
		{"Add crew +12065550002", "Added +12065550002 to crew."},
	}
	for _, tt := range tests {
		posts := b.do("alice", tt.cmd)
		if len(posts) != 1 || !strings.Contains(posts[0].Text, tt.want) || strings.HasPrefix(posts[0].Text, "⚠️") {
			t.Errorf("%q answered %+v, want %q", tt.cmd, posts, tt.want)
		}
	}
}

func TestSuggestionsForUnknownNames(t *testing.T) {
	b := setup(t, "alice")
	b.do("alice", "numbers add +12065550101 3")
	b.do("alice", "add friends +12065550001 Ada")
	b.do("alice", "add crew +12065550002 Bob")
	tests := []struct {
		name, cmd, want string
		notWant         []string
	}{
		{"synonym, not look-alike", "member friends", `unknown command "member": did you mean list?`, []string{"numbers"}},
		{"synonym in any case", "Member", "did you mean list?", []string{"numbers"}},
		{"subcommand synonym", "numbers delete +12065550101", `unknown subcommand of numbers "delete": did you mean remove?`, nil},
		{"swapped letters", "sned crew Hello", `unknown command "sned": did you mean send?`, nil},
		{"nothing close", "xyzzy", `unknown command "xyzzy"; try /sms help`, nil},
		{"short word, 2 edits", "sxnx crew Hi", "try /sms help", []string{"send"}},
		{"list typo on send", "send frends Hello", `there is no list named "frends"; did you mean friends?`, nil},
		{"list typo in any case", "send FRENDS Hello", "did you mean friends?", nil},
		{"list typo on remove", "remove frends +12065550001", `there is no list named "frends"; did you mean friends?`, nil},
		{"no list close", "send vips Hello", `there is no list named "vips" (see /sms lists)`, nil},
		{"quoted once", `send "vips" Hello`, `there is no list named "vips" (see /sms lists)`, []string{`\"`}},
		{"quoted typo", `send “frends” Hello`, `there is no list named "frends"; did you mean friends?`, []string{`\"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { b.refused(t, "alice", tt.cmd, tt.want, tt.notWant...) })
	}
}

func TestQuotedListNameWorks(t *testing.T) {
	b := setup(t, "alice")
	b.do("alice", "numbers add +12065550101 3")
	b.do("alice", `add "friends" +12065550001 Ada`)
	posts := b.do("alice", `send "friends" Hello`)
	if len(posts) != 1 || strings.HasPrefix(posts[0].Text, "⚠️") || !strings.Contains(posts[0].Title+posts[0].Text, "friends") {
		t.Fatalf("answer = %+v, want a preview for friends", posts)
	}
	if posts := b.do("alice", "lists"); len(posts) != 1 || posts[0].Text != "friends · 1 contact" {
		t.Fatalf("lists = %+v, want only friends", posts)
	}
}

func TestSwappedArgumentsAreCorrected(t *testing.T) {
	b := setup(t, "alice")
	b.do("alice", "add friends +12065550104 Ada")
	tests := []struct{ name, cmd, want string }{
		{"add phone first", "add +12065550104 friends", "+12065550104 is a phone number, not a list: did you mean /sms add friends +12065550104?"},
		{"add spaced phone first, with a name", "add +1 206 555 0105 friends Ada Lovelace", "+1 206 555 0105 is a phone number, not a list: did you mean /sms add friends +12065550105 Ada Lovelace?"},
		{"add national phone first", "add (206) 555-0105 crew", "did you mean /sms add crew +12065550105?"},
		{"remove phone first", "remove +12065550104 friends", "+12065550104 is a phone number, not a list: did you mean /sms remove friends +12065550104?"},
		{"import file first", "import messy.csv crew", "messy.csv is a file name, not a list: did you mean /sms import crew messy.csv?"},
		{"import path first", "import ./data/Messy.CSV crew", "did you mean /sms import crew ./data/Messy.CSV?"},
		{"import file only", "import messy.csv", "messy.csv is a file name, not a list: write /sms import <list> messy.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { b.refused(t, "alice", tt.cmd, tt.want) })
	}
}

func TestNumbersAddAcceptsAnyPhoneFormat(t *testing.T) {
	b := setup(t, "alice")
	tests := []struct{ cmd, want string }{
		{"numbers add +1 206 555 0199 1", "Added +12065550199 at 1 segment/s."},
		{"numbers add (206) 555-0198", "Added +12065550198 at 1 segment/s."},
		{"numbers add 206.555.0197 3", "Added +12065550197 at 3 segments/s"},
		{"numbers add 1-206-555-0199 2", "Updated +12065550199 at 2 segments/s"},
		{"numbers remove (206) 555-0198", "Removed +12065550198."},
	}
	for _, tt := range tests {
		posts := b.do("alice", tt.cmd)
		if len(posts) != 1 || !strings.Contains(posts[0].Text, tt.want) {
			t.Errorf("%q answered %+v, want %q", tt.cmd, posts, tt.want)
		}
	}
	senders, err := b.engine.Senders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range senders {
		if s.Enabled {
			got = append(got, fmt.Sprintf("%s@%g", s.Address, s.Rate))
		}
	}
	sort.Strings(got)
	if want := "+12065550197@3 +12065550199@2"; strings.Join(got, " ") != want {
		t.Errorf("senders = %v, want %s", got, want)
	}
	b.refused(t, "alice", "numbers add +1 206 555 0199 1 2", "usage: /sms numbers add <phone|MG-SID> [segments-per-second]")
	b.refused(t, "alice", "numbers add +1 206 555 0199 fast", `rate "fast" is not a number`)
	b.refused(t, "alice", "numbers remove +1 206 555 0197 now", "usage: /sms numbers remove <phone|MG-SID>")
}
