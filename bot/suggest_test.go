package bot_test

import "testing"

// TestSuggestionsPointToTheCommandMeant: a mistaken command is answered
// with the command meant, not the closest spelling. Before, rename got
// "resume", delete got "remove", memebrs got "members" (itself a synonym),
// a phone after send or list was called an unknown list, and lists bogus
// got "try /sms help".
func TestSuggestionsPointToTheCommandMeant(t *testing.T) {
	b := setup(t, "alice")
	b.do("alice", "numbers add +12065550101 3")
	b.do("alice", "add friends +12065550001 Ada")
	for _, tt := range []struct {
		cmd, want string
		notWant   []string
	}{
		{"rename friends pals", `unknown command "rename": did you mean lists rename?`, []string{"resume"}},
		{"delete friends", `unknown command "delete": did you mean lists delete?`, []string{"remove"}},
		{"delete friends +12065550001", `unknown command "delete": did you mean remove?`, nil},
		{"renmae friends pals", "did you mean lists rename?", []string{"resume"}},
		{"memebrs friends", `unknown command "memebrs": did you mean list?`, []string{"members"}},
		{"contcts friends", "did you mean list or contact?", nil},
		{"send +12065550110 hi there", "+12065550110 is a phone number, not a list: did you mean /sms reply +12065550110 hi there?", nil},
		{"send +1 206 555 0110 hi", "did you mean /sms reply +12065550110 hi?", nil},
		{"list +12065550110", "+12065550110 is a phone number, not a list: did you mean /sms contact +12065550110?", nil},
		{"members (206) 555-0110", "did you mean /sms contact +12065550110?", nil},
		{"lists bogus", `unknown subcommand of lists "bogus": /sms lists shows them, /sms lists rename <old> <new> renames one, /sms lists delete <list> deletes one`, []string{"try /sms help"}},
		{"lists friends", `unknown subcommand of lists "friends": did you mean /sms list friends?`, nil},
		{"lists remame a b", "did you mean rename?", nil},
		{"sned friends hi", `unknown command "sned": did you mean send?`, nil},
		{"xyzzy", `unknown command "xyzzy"; try /sms help`, nil},
	} {
		b.refused(t, "alice", tt.cmd, tt.want, tt.notWant...)
	}
}

// TestScheduleSuggestsListsLikeSend: a mistyped list in a schedule gets
// the closest names, as send does. Before, it got none.
func TestScheduleSuggestsListsLikeSend(t *testing.T) {
	b, _ := setupSchedules(t)
	b.do("alice", "add friends +12065550002 Ada")
	b.refused(t, "alice", "schedule in 2h frinds hi", `there is no list named "frinds"; did you mean friends?`)
	b.refused(t, "alice", "schedule tomorrow 09:00 crw hi", "did you mean crew?")
	b.refused(t, "alice", "schedule 18:45 vips hi", `there is no list named "vips" (see /sms lists)`)
}
