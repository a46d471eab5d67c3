// Package bottest is the scenario suite every chat adapter must pass, in
// the manner of River's riverdrivertest: the console, Slack and Discord
// each provide a Chat, and Exercise runs the same conversations against
// them.
package bottest

import (
	"strings"
	"testing"

	"smsbot/broadcast/sim"
)

// Setup is what a scenario needs of the adapter's bot.
type Setup struct {
	// Admins and Approvers configure the router's access rules.
	Admins    []string
	Approvers []string
	// core, when set, is filled by NewCore: the scenarios in which
	// contacts text in reach the bot's Core through it.
	core **Core
}

// Chat is one adapter under test, seen from its users' side. Its bot runs
// on the simulated carrier.
type Chat interface {
	// Type sends "/sms " + text as user and returns once the bot has
	// answered (or acknowledged).
	Type(t *testing.T, user, text string)
	// Button finds the button labelled label on the newest message that
	// shows one now, as every user sees it at this moment, and fails the
	// test when none does. WaitFor then looks at what is shown from here on.
	Button(t *testing.T, label string) Button
	// Press presses b as user, on the message where Button found it, even
	// if that message has been edited since (as a user does who has not
	// yet seen the edit). It does not move the point WaitFor looks from,
	// so the answers to several presses of one button can be awaited.
	Press(t *testing.T, user string, b Button)
	// WaitFor waits until a message shown since the last Type or Button
	// contains s, and returns that message's text as the adapter rendered it.
	WaitFor(t *testing.T, s string) string
	// Sent returns the texts the simulated carrier delivered.
	Sent() []sim.Message
}

// Button is a button as users saw it: the message that showed it, in the
// adapter's terms (a Slack channel and timestamp, a Discord channel and
// message ID, nothing on the console), and the action it carries.
type Button struct {
	Label   string
	Channel string
	Message string
	Action  string
}

// Click presses the button labelled label on the newest message that
// shows one, as user: Press of Button.
func Click(t *testing.T, c Chat, user, label string) {
	t.Helper()
	c.Press(t, user, c.Button(t, label))
}

// Factory starts a fresh bot (own database, own carrier) behind an adapter.
type Factory func(t *testing.T, s Setup) Chat

// Exercise runs every scenario against the adapter made by newChat.
func Exercise(t *testing.T, newChat Factory) {
	t.Run("SendPreviewApproveProgressSummary", func(t *testing.T) { sendApprove(t, newChat) })
	t.Run("RefusesNonAdmins", func(t *testing.T) { refusesNonAdmins(t, newChat) })
	t.Run("DoubleApproveSendsOnce", func(t *testing.T) { doubleApprove(t, newChat) })
	t.Run("TwoPersonRule", func(t *testing.T) { twoPersonRule(t, newChat) })
	t.Run("CancelBeforeApproval", func(t *testing.T) { cancelBeforeApproval(t, newChat) })
	t.Run("BadInputGetsOneLine", func(t *testing.T) { badInput(t, newChat) })
	t.Run("ListMembersRenameAndNames", func(t *testing.T) { listMembers(t, newChat) })
	t.Run("ListDeleteAfterConfirmation", func(t *testing.T) { listDelete(t, newChat) })
	t.Run("ContactAndForget", func(t *testing.T) { contactAndForget(t, newChat) })
	t.Run("ListAndContactBadInputGetsOneLine", func(t *testing.T) { listBadInput(t, newChat) })
	t.Run("PollCreateApproveAnswerTally", func(t *testing.T) { pollAnswerTally(t, newChat) })
	t.Run("PollChangeOfAnswer", func(t *testing.T) { pollChangeOfAnswer(t, newChat) })
	t.Run("PollUnclearAnswerRelayed", func(t *testing.T) { pollUnclearRelayed(t, newChat) })
	t.Run("PollCloseNow", func(t *testing.T) { pollCloseNow(t, newChat) })
	t.Run("PollRemindNonResponders", func(t *testing.T) { pollRemind(t, newChat) })
	t.Run("PollFollowUpGroup", func(t *testing.T) { pollFollowUp(t, newChat) })
	t.Run("PollBadInput", func(t *testing.T) { pollBadInput(t, newChat) })
	t.Run("PollNonAdminRefused", func(t *testing.T) { pollNonAdmin(t, newChat) })
}

// seed adds two numbers and three contacts as user.
func seed(t *testing.T, c Chat, user string) {
	t.Helper()
	c.Type(t, user, "numbers add +12065550101 50")
	c.WaitFor(t, "Added +12065550101")
	c.Type(t, user, "numbers add +12065550102 50")
	c.WaitFor(t, "Added +12065550102")
	for _, line := range []string{"add crew +1 206 555 0001 Ada", "add crew (206) 555-0002 Grace", "add crew 206.555.0003"} {
		c.Type(t, user, line)
		c.WaitFor(t, "to crew")
	}
}

func sendApprove(t *testing.T, newChat Factory) {
	c := newChat(t, Setup{Admins: []string{"alice"}})
	seed(t, c, "alice")
	c.Type(t, "alice", "send crew Dinner is served in Hall B")
	preview := c.WaitFor(t, "waiting for approval")
	for _, want := range []string{"Broadcast #1", "Dinner is served in Hall B", "3", "GSM-7", "+12065550101", "ETA", "$"} {
		if !strings.Contains(preview, want) {
			t.Errorf("preview lacks %q:\n%s", want, preview)
		}
	}
	Click(t, c, "alice", "Approve")
	summary := c.WaitFor(t, "finished")
	if !strings.Contains(summary, "Sent 3") {
		t.Errorf("summary lacks the count:\n%s", summary)
	}
	assertTexts(t, c, 3)
}

func refusesNonAdmins(t *testing.T, newChat Factory) {
	c := newChat(t, Setup{Admins: []string{"alice"}})
	seed(t, c, "alice")
	for _, cmd := range []string{"send crew Hello", "add crew +12065550009", "numbers add +12065550103", "numbers remove +12065550101"} {
		c.Type(t, "mallory", cmd)
		c.WaitFor(t, "only smsbot admins")
	}
	c.Type(t, "mallory", "lists") // reading is fine
	c.WaitFor(t, "crew")
	assertTexts(t, c, 0)
}

func doubleApprove(t *testing.T, newChat Factory) {
	c := newChat(t, Setup{Admins: []string{"alice", "bob"}})
	seed(t, c, "alice")
	c.Type(t, "alice", "send crew Judging starts at 9")
	c.WaitFor(t, "waiting for approval")
	// Both see the preview and press Approve before either sees the
	// first approval edit the buttons away.
	approve := c.Button(t, "Approve")
	c.Press(t, "alice", approve)
	c.Press(t, "bob", approve)
	c.WaitFor(t, "already approved")
	c.WaitFor(t, "finished")
	assertTexts(t, c, 3)
}

func twoPersonRule(t *testing.T, newChat Factory) {
	c := newChat(t, Setup{Admins: []string{"alice", "bob"}, Approvers: []string{"alice", "bob"}})
	seed(t, c, "alice")
	c.Type(t, "alice", "send crew Doors open at 7pm")
	c.WaitFor(t, "waiting for approval")
	Click(t, c, "alice", "Approve")
	c.WaitFor(t, "another approver")
	Click(t, c, "mallory", "Approve")
	c.WaitFor(t, "only approvers")
	assertTexts(t, c, 0)
	Click(t, c, "bob", "Approve")
	summary := c.WaitFor(t, "finished")
	if !strings.Contains(summary, "bob") {
		t.Errorf("summary does not name the approver:\n%s", summary)
	}
	assertTexts(t, c, 3)
}

func cancelBeforeApproval(t *testing.T, newChat Factory) {
	c := newChat(t, Setup{Admins: []string{"alice"}})
	seed(t, c, "alice")
	c.Type(t, "alice", "send crew Never mind")
	c.WaitFor(t, "waiting for approval")
	Click(t, c, "alice", "Cancel")
	c.WaitFor(t, "cancelled")
	c.Type(t, "alice", "status 1")
	c.WaitFor(t, "cancelled")
	assertTexts(t, c, 0)
}

func badInput(t *testing.T, newChat Factory) {
	c := newChat(t, Setup{Admins: []string{"alice"}})
	seed(t, c, "alice")
	for _, tt := range []struct{ cmd, want string }{
		{"add crew 12", "not a phone number"},
		{"send nosuchlist Hello", `no list named "nosuchlist"`},
		{"send crew", "the message is empty"},
		{"send crew " + strings.Repeat("x", 1601), "the limit is 1600"},
		{"sned crew Hello", "did you mean send"},
		{"numbers ad +12065550103", `unknown subcommand of numbers "ad"`},
		{"numbers add +12065550103 fast", `rate "fast" is not a number`},
	} {
		c.Type(t, "alice", tt.cmd)
		if got := c.WaitFor(t, tt.want); strings.Count(strings.TrimSpace(got), "\n") > 0 {
			t.Errorf("%q: answer is more than one line:\n%s", tt.cmd, got)
		}
	}
	c.Type(t, "alice", "status")
	c.WaitFor(t, "No broadcasts yet")
	c.Type(t, "alice", "numbers")
	if got := c.WaitFor(t, "+12065550101"); strings.Contains(got, "+12065550103") {
		t.Errorf("a refused number was added:\n%s", got)
	}
}

func assertTexts(t *testing.T, c Chat, n int) {
	t.Helper()
	sent := c.Sent()
	seen := map[string]bool{}
	for _, m := range sent {
		if seen[m.To] {
			t.Errorf("%s was texted twice", m.To)
		}
		seen[m.To] = true
	}
	if len(sent) != n {
		t.Fatalf("carrier delivered %d texts, want %d", len(sent), n)
	}
}
