package bottest

import (
	"strings"
	"testing"
)

// The poll scenarios of refusals: wrong input, and users who are not
// admins. Each gets one line, and nothing is written or texted.

func pollBadInput(t *testing.T, newChat Factory) {
	c, _ := newPollChat(t, newChat, Setup{Admins: []string{"alice"}})
	c.Type(t, "alice", shuttlePoll) // poll #1, waiting for approval
	c.WaitFor(t, "waiting for approval")
	for _, tt := range []struct{ cmd, want string }{
		{"poll crew Which shuttle? | 5 pm shuttle", "this one has 1"},
		{"poll crew Pick one | a | b | c | d | e | f | g | h | i | j", "this one has 10"},
		{"poll crew Which shuttle? | 5 pm | | 7 pm", "option 2 is empty"},
		{"poll crew Which shuttle?", "usage: /sms poll"},
		{"poll nosuchlist Which shuttle? | 5 pm | 7 pm", `no list named "nosuchlist"`},
		{"send poll:99=1 The bus is late", "there is no poll #99"},
		{"send poll:1=7 The bus is late", "poll #1 has options 1 to 2"},
		{"send poll:1 The bus is late", "poll:1 needs an answer"},
		{"send poll:1=maybe The bus is late", "the answer is an option number (1 to 9) or none"},
		{"poll crew Which shuttle? | 5 pm | 7 pm --closes 2020-01-01 18:00", "passed"},
		{"poll crew Which shuttle? | 5 pm | 7 pm --closes", "--closes needs a time"},
	} {
		c.Type(t, "alice", tt.cmd)
		if got := c.WaitFor(t, tt.want); strings.Count(strings.TrimSpace(got), "\n") > 0 {
			t.Errorf("%q: answer is more than one line:\n%s", tt.cmd, got)
		}
	}
	c.Type(t, "alice", "status")
	if got := c.WaitFor(t, "#1"); strings.Contains(got, "#2") {
		t.Errorf("a refused command made a broadcast:\n%s", got)
	}
	assertTexts(t, c, 0)
}

func pollNonAdmin(t *testing.T, newChat Factory) {
	c, core := newPollChat(t, newChat, Setup{Admins: []string{"alice"}})
	c.Type(t, "mallory", shuttlePoll)
	c.WaitFor(t, "only smsbot admins")
	closeNow := askShuttle(t, c, "alice")
	core.text(t, ada, "1")
	c.Press(t, "mallory", closeNow)
	c.WaitFor(t, "only smsbot admins")
	for _, label := range []string{"Remind non-responders", "Export"} {
		c.Press(t, "mallory", c.Button(t, label))
		c.WaitFor(t, "only smsbot admins")
	}
	c.Type(t, "mallory", "send poll:1=1 The 5 pm shuttle is full")
	c.WaitFor(t, "only smsbot admins")
	c.Type(t, "mallory", "polls") // reading is for everyone
	c.WaitFor(t, "#1 Which shuttle? · 1 of 3 answered · open")
	core.counts(t, 1, 1, 1, 0)
	assertTexts(t, c, 3)
}
