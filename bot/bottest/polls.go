package bottest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

// The scenarios of polls: asking, answering by text (through
// inbound.Service.Receive, as a webhook's text comes), the live tally,
// its buttons, and follow-ups to an answer group.

const (
	shuttlePoll = "poll crew Which shuttle? | 5 pm shuttle | 7 pm shuttle"
	shuttleText = "Which shuttle?\n1) 5 pm shuttle\n2) 7 pm shuttle\nReply 1 or 2"
	ada         = "+12065550001"
	grace       = "+12065550002"
	third       = "+12065550003"
)

// newPollChat starts a bot behind the adapter with its Core, seeded with
// the numbers and the crew of seed.
func newPollChat(t *testing.T, newChat Factory, s Setup) (Chat, *Core) {
	t.Helper()
	var core *Core
	s.core = &core
	c := newChat(t, s)
	if core == nil {
		t.Fatal("the adapter's Factory did not pass its Setup to NewCore")
	}
	seed(t, c, s.Admins[0])
	return c, core
}

// askShuttle asks crew which shuttle, approves, and waits until the
// three texts went out and the tally shows. It returns the tally's Close
// now button, as the staff see it then.
func askShuttle(t *testing.T, c Chat, user string) Button {
	t.Helper()
	c.Type(t, user, shuttlePoll)
	c.WaitFor(t, "waiting for approval")
	Click(t, c, user, "Approve")
	c.WaitFor(t, "finished")
	c.WaitFor(t, "📊 Poll #1")
	// By the answer to /sms polls, the router follows the tally it posted
	// (on a fake clock, its ticker is made before tick moves the clock).
	c.Type(t, user, "polls")
	c.WaitFor(t, "#1 Which shuttle? · 0 of 3 answered · open")
	return c.Button(t, "Close now")
}

// text makes phone text body in, on the simulated carrier: stored,
// matched and relayed before it returns. Texts come a second apart on
// fake clocks (the staff channel's rate limits refill as they would).
func (c *Core) text(t *testing.T, phone, body string) {
	t.Helper()
	c.pass(time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.Simulator.SimulateText(ctx, phone, body); err != nil {
		t.Fatalf("%s texting %q: %v", phone, body, err)
	}
}

// tick lets the tally's next edit come: on a fake router clock it moves
// the clock past ProgressEvery; on a real one the edit comes by itself,
// which WaitFor awaits. The tally's ticker must exist by then: the
// scenarios tick only after a command answered since the tally showed.
func (c *Core) tick() { c.pass(c.progressEvery) }

// pass moves the fake clocks, the router's and the adapter's, on by d.
func (c *Core) pass(d time.Duration) {
	clocks := []clockwork.Clock{c.Clock}
	if c.ChatClock != c.Clock {
		clocks = append(clocks, c.ChatClock)
	}
	for _, clock := range clocks {
		if fc, ok := clock.(*clockwork.FakeClock); ok {
			fc.Advance(d)
		}
	}
}

// counts checks the stored tally of poll id: answers per option and how
// many answered.
func (c *Core) counts(t *testing.T, id int64, answered int, want ...int) {
	t.Helper()
	tally, err := c.Store.Tally(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if tally.Answered != answered || !slices.Equal(tally.Counts, want) {
		t.Errorf("poll #%d: %d answered, counts %v; want %d, %v", id, tally.Answered, tally.Counts, answered, want)
	}
}

// tallyLine returns the line of a shown tally that starts option n.
func tallyLine(t *testing.T, shown string, n int, label string) string {
	t.Helper()
	prefix := string(rune('0'+n)) + ") " + label
	for _, line := range strings.Split(shown, "\n") {
		if strings.Contains(line, prefix) {
			return line
		}
	}
	t.Fatalf("the tally has no line for %q:\n%s", prefix, shown)
	return ""
}

// sentTo returns the numbers the carrier texted from the n-th text on.
func sentTo(c Chat, from int) []string {
	var to []string
	for _, m := range c.Sent()[from:] {
		to = append(to, m.To)
	}
	slices.Sort(to)
	return to
}

func pollAnswerTally(t *testing.T, newChat Factory) {
	c, core := newPollChat(t, newChat, Setup{Admins: []string{"alice"}})
	c.Type(t, "alice", shuttlePoll)
	preview := c.WaitFor(t, "waiting for approval")
	for _, want := range append(strings.Split(shuttleText, "\n"), "Poll #1 to crew", "GSM-7", "ETA", "$") {
		if !strings.Contains(preview, want) {
			t.Errorf("preview lacks %q:\n%s", want, preview)
		}
	}
	Click(t, c, "alice", "Approve")
	c.WaitFor(t, "finished")
	c.WaitFor(t, "📊 Poll #1")
	c.Type(t, "alice", "polls")
	c.WaitFor(t, "#1 Which shuttle? · 0 of 3 answered · open")
	assertTexts(t, c, 3)
	for _, m := range c.Sent() {
		if m.Body != shuttleText {
			t.Errorf("%s was texted %q, want %q", m.To, m.Body, shuttleText)
		}
	}
	before := c.Button(t, "Close now")
	core.text(t, ada, "1")
	core.text(t, grace, "2!!")
	core.text(t, third, "5pm")
	core.counts(t, 1, 3, 2, 1)
	core.tick()
	shown := c.WaitFor(t, "2 · 67%") // only the final tally shows it
	if l := tallyLine(t, shown, 1, "5 pm shuttle"); !strings.Contains(l, "████████░░░░") || !strings.Contains(l, "2 · 67%") {
		t.Errorf("option 1's line: %s", l)
	}
	if l := tallyLine(t, shown, 2, "7 pm shuttle"); !strings.Contains(l, "1 · 33%") {
		t.Errorf("option 2's line: %s", l)
	}
	if !strings.Contains(shown, "3 of 3 (100%)") {
		t.Errorf("the tally does not say all answered:\n%s", shown)
	}
	if after := c.Button(t, "Close now"); after.Message != before.Message || after.Channel != before.Channel {
		t.Errorf("the tally was posted again (%s %s), not edited in place (%s %s)", after.Channel, after.Message, before.Channel, before.Message)
	}
	c.Type(t, "alice", "polls")
	c.WaitFor(t, "#1 Which shuttle? · 3 of 3 answered · open")
	assertTexts(t, c, 3) // answers get no reply without --confirm
}

func pollChangeOfAnswer(t *testing.T, newChat Factory) {
	c, core := newPollChat(t, newChat, Setup{Admins: []string{"alice"}})
	askShuttle(t, c, "alice")
	core.text(t, ada, "1")
	core.text(t, grace, "1")
	core.text(t, ada, "2") // Ada changes her mind
	core.counts(t, 1, 2, 1, 1)
	core.tick()
	shown := c.WaitFor(t, "1 · 50%") // Ada counted once, as 2
	if strings.Count(shown, "1 · 50%") != 2 {
		t.Errorf("the tally does not show one answer each:\n%s", shown)
	}
	c.Type(t, "alice", "polls")
	c.WaitFor(t, "#1 Which shuttle? · 2 of 3 answered · open")
}

func pollUnclearRelayed(t *testing.T, newChat Factory) {
	c, core := newPollChat(t, newChat, Setup{Admins: []string{"alice"}})
	askShuttle(t, c, "alice")
	core.text(t, ada, "1 and 2")
	if relay := c.WaitFor(t, "not an answer to poll #1"); !strings.Contains(relay, "1 and 2") || !strings.Contains(relay, "Ada") {
		t.Errorf("an unclear answer is not relayed as one:\n%s", relay)
	}
	c.Type(t, "alice", "sim reply "+grace+" which bus is closer?") // as /sms sim reply plays it
	if relay := c.WaitFor(t, "not an answer to poll #1"); !strings.Contains(relay, "which bus is closer?") || !strings.Contains(relay, "Grace") {
		t.Errorf("a question is not relayed as not an answer:\n%s", relay)
	}
	core.counts(t, 1, 0, 0, 0)
	core.text(t, third, "2")
	core.counts(t, 1, 1, 0, 1)
	core.tick()
	if shown := c.WaitFor(t, "1 of 3"); !strings.Contains(tallyLine(t, shown, 2, "7 pm shuttle"), "1 · 100%") {
		t.Errorf("the tally counts more than the one answer:\n%s", shown)
	}
}

func pollCloseNow(t *testing.T, newChat Factory) {
	c, core := newPollChat(t, newChat, Setup{Admins: []string{"alice", "bob"}})
	closeNow := askShuttle(t, c, "alice")
	core.text(t, ada, "1")
	c.Press(t, "alice", closeNow)
	if got := c.WaitFor(t, "Poll #1 closed by alice"); !strings.Contains(got, "1 of 3 answered") {
		t.Errorf("the close does not say how many answered:\n%s", got)
	}
	core.tick()
	if shown := c.WaitFor(t, "(closed)"); !strings.Contains(shown, "Closed") || !strings.Contains(shown, "1 of 3") {
		t.Errorf("the closed tally:\n%s", shown)
	}
	core.text(t, grace, "2") // too late: relayed, not counted
	c.WaitFor(t, "Grace ("+grace+")")
	core.counts(t, 1, 1, 1, 0)
	c.Type(t, "alice", "polls")
	c.WaitFor(t, "#1 Which shuttle? · 1 of 3 answered · closed")
	// A second click, on the tally as it was: the router says the poll is
	// closed, or the adapter that the button is not shown any more.
	c.Press(t, "bob", closeNow)
	got := c.WaitFor(t, "⚠️")
	if !strings.Contains(got, "poll #1 is closed already") && !strings.Contains(got, "no button") {
		t.Errorf("the second close is not refused:\n%s", got)
	}
	if strings.Count(strings.TrimSpace(got), "\n") > 0 {
		t.Errorf("the second close answers more than one line:\n%s", got)
	}
	core.counts(t, 1, 1, 1, 0)
}

func pollRemind(t *testing.T, newChat Factory) {
	c, core := newPollChat(t, newChat, Setup{Admins: []string{"alice"}})
	askShuttle(t, c, "alice")
	core.text(t, ada, "1")
	Click(t, c, "alice", "Remind non-responders")
	preview := c.WaitFor(t, "Broadcast #2 to poll:1=none on crew: waiting for approval")
	for _, want := range []string{"those on crew who got poll #1 (Which shuttle?) and have not answered", "Reminder: Which shuttle?", "Recipients"} {
		if !strings.Contains(preview, want) {
			t.Errorf("reminder preview lacks %q:\n%s", want, preview)
		}
	}
	if got := recipients(t, preview); got != "2" {
		t.Errorf("reminder preview: %s recipients, want 2:\n%s", got, preview)
	}
	Click(t, c, "alice", "Approve")
	c.WaitFor(t, "finished")
	c.WaitFor(t, "Sent 2")
	if got := sentTo(c, 3); !slices.Equal(got, []string{grace, third}) {
		t.Errorf("the reminder went to %v, want those who have not answered", got)
	}
	if body := c.Sent()[3].Body; body != "Reminder: "+shuttleText {
		t.Errorf("reminder text %q", body)
	}
}

func pollFollowUp(t *testing.T, newChat Factory) {
	c, core := newPollChat(t, newChat, Setup{Admins: []string{"alice"}})
	askShuttle(t, c, "alice")
	core.text(t, ada, "1")
	core.text(t, grace, "7 pm shuttle")
	core.text(t, third, "#2")
	c.Type(t, "alice", "send poll:1=2 The 7 pm shuttle leaves from Gate B")
	preview := c.WaitFor(t, "Broadcast #2 to poll:1=2 on crew: waiting for approval")
	for _, want := range []string{"those on crew who got poll #1 (Which shuttle?) and answered 2) 7 pm shuttle", "The 7 pm shuttle leaves from Gate B"} {
		if !strings.Contains(preview, want) {
			t.Errorf("follow-up preview lacks %q:\n%s", want, preview)
		}
	}
	if got := recipients(t, preview); got != "2" {
		t.Errorf("follow-up preview: %s recipients, want 2:\n%s", got, preview)
	}
	Click(t, c, "alice", "Approve")
	c.WaitFor(t, "Sent 2")
	if got := sentTo(c, 3); !slices.Equal(got, []string{grace, third}) {
		t.Errorf("the follow-up went to %v, want those who answered 2", got)
	}
}

// recipients reads the Recipients field of a preview as the adapter
// showed it ("Recipients: 2", "*Recipients*\n2", …).
func recipients(t *testing.T, preview string) string {
	t.Helper()
	_, after, ok := strings.Cut(preview, "Recipients")
	if !ok {
		t.Fatalf("no Recipients in the preview:\n%s", preview)
	}
	after = strings.TrimLeft(after, "*_: \n")
	if i := strings.IndexFunc(after, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		after = after[:i]
	}
	return after
}
