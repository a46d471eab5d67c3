package console_test

import (
	"context"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"smsbot/bot"
	"smsbot/bot/bottest"
	"smsbot/bot/console"
	"smsbot/broadcast/sim"
	"smsbot/inbound"
)

// screen is the console's output, with a signal for each write.
type screen struct {
	mu      sync.Mutex
	buf     strings.Builder
	changed chan struct{}
}

func newScreen() *screen { return &screen{changed: make(chan struct{})} }

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Write(p)
	close(s.changed)
	s.changed = make(chan struct{})
	return len(p), nil
}

func (s *screen) snapshot() (string, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String(), s.changed
}

// chat drives a Console through its input pipe, as a terminal user would.
type chat struct {
	in     *io.PipeWriter
	screen *screen
	cursor int
	sim    *sim.Provider
}

func newChat(t *testing.T, s bottest.Setup) bottest.Chat {
	ctx := context.Background()
	var core *bottest.Core
	inbox := &inbound.SimInbox{
		Route: func(ctx context.Context, phone string) (string, error) {
			_, s, err := core.Engine.StickySender(ctx, phone)
			return s.Address, err
		},
		Deliver: func(context.Context, string, string, string) error { return nil },
	}
	core = bottest.NewCore(t, s, func(cfg *bot.Config) { cfg.Simulator = inbox })
	pr, pw := io.Pipe()
	c := &chat{in: pw, screen: newScreen(), sim: core.Sim}
	con := console.New(console.Config{Router: core.Router, In: pr, Out: c.screen, Wait: core.Engine.WaitIdle, Dir: t.TempDir()})
	var err error
	if inbox.Service, err = inbound.New(inbound.Config{Store: core.Store, Staff: con}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- con.Run(ctx) }()
	t.Cleanup(func() {
		pw.Close()
		if err := <-done; err != nil {
			t.Errorf("console ended with %v", err)
		}
	})
	return c
}

func (c *chat) typeLine(t *testing.T, line string) {
	t.Helper()
	out, _ := c.screen.snapshot()
	c.cursor = len(out)
	if _, err := io.WriteString(c.in, line+"\n"); err != nil {
		t.Fatal(err)
	}
}

func (c *chat) Type(t *testing.T, user, text string) {
	c.typeLine(t, "@"+user+" /sms "+text)
}

var clickRe = regexp.MustCompile(`\[([^\]]+)\] /click (\S+)`)

// Button finds the newest [label] on screen. The console never edits
// what it printed, so a button stays pressable.
func (c *chat) Button(t *testing.T, label string) bottest.Button {
	t.Helper()
	out, _ := c.screen.snapshot()
	c.cursor = len(out)
	action := ""
	for _, m := range clickRe.FindAllStringSubmatch(out, -1) {
		if m[1] == label {
			action = m[2]
		}
	}
	if action == "" {
		t.Fatalf("no [%s] button on screen:\n%s", label, out)
	}
	return bottest.Button{Label: label, Action: action}
}

// Press types the button's /click line as user.
func (c *chat) Press(t *testing.T, user string, b bottest.Button) {
	t.Helper()
	if _, err := io.WriteString(c.in, "@"+user+" /click "+b.Action+"\n"); err != nil {
		t.Fatal(err)
	}
}

func (c *chat) WaitFor(t *testing.T, s string) string {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		out, changed := c.screen.snapshot()
		if i := strings.Index(out[c.cursor:], s); i >= 0 {
			return message(out[c.cursor:], i)
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("no %q on screen; since the last input:\n%s", s, out[c.cursor:])
		}
	}
}

// message returns the message around position i of out: from its "──"
// title line (or the line itself) to the next title.
func message(out string, i int) string {
	start := strings.LastIndex(out[:i], "── ")
	if line := strings.LastIndex(out[:i], "\n") + 1; start < 0 || !strings.HasPrefix(out[line:], "   ") && line > start {
		start = line
	}
	end := strings.Index(out[i:], "\n── ")
	if end < 0 {
		end = len(out) - i
	}
	return out[start : i+end]
}

func (c *chat) Sent() []sim.Message { return c.sim.Sent() }

func TestConsoleScenarios(t *testing.T) {
	bottest.Exercise(t, newChat)
}

func TestRender(t *testing.T) {
	got := console.Render(bot.Message{
		Title:   "Broadcast #1 to crew: waiting for approval",
		Text:    "> Hello",
		Fields:  []bot.Field{{Label: "Recipients", Value: "3"}},
		Buttons: []bot.Button{{Label: "Approve", Action: "approve:1", Style: bot.Primary}},
	})
	want := "── Broadcast #1 to crew: waiting for approval\n│ Hello\n   Recipients: 3\n   [Approve] /click approve:1\n"
	if got != want {
		t.Fatalf("Render =\n%s\nwant\n%s", got, want)
	}
}

// On the simulated carrier, /sms sim reply makes a contact text in: the
// console shows it as the staff channel would, and answers with the
// auto-reply; staff answer with /sms reply.
func TestConsoleSimulatedConversation(t *testing.T) {
	c := newChat(t, bottest.Setup{}).(*chat)
	c.Type(t, "console", "numbers add +12065550101 10")
	c.WaitFor(t, "Added")
	c.Type(t, "console", "add crew +12065550001 Ada")
	c.WaitFor(t, "to crew")
	c.Type(t, "console", "sim reply +12065550001 which room?")
	relay := c.WaitFor(t, "💬 Ada (+12065550001)")
	if !strings.Contains(relay, "which room?") || !strings.Contains(relay, "crew") {
		t.Fatalf("relay:\n%s", relay)
	}
	c.Type(t, "console", "sim reply +12065550001 STOP")
	c.WaitFor(t, "opted out of all texts")
	c.Type(t, "console", "reply +12065550001 Room B")
	c.WaitFor(t, "opted out (texted STOP)")
	c.Type(t, "console", "sim reply +12065550001 start")
	c.WaitFor(t, "opted back in")
	c.Type(t, "console", "reply +12065550001 Room B")
	c.WaitFor(t, "texted Ada")
	sent := c.Sent()
	if len(sent) != 1 || sent[0].To != "+12065550001" || sent[0].Body != "Room B" {
		t.Fatalf("carrier delivered %+v", sent)
	}
}

// The console takes /sms in any case, as the router does.
func TestConsoleTakesSMSInAnyCase(t *testing.T) {
	c := newChat(t, bottest.Setup{}).(*chat)
	c.typeLine(t, "@console /SMS numbers add +12065550101 10")
	c.WaitFor(t, "Added")
	c.typeLine(t, "@console /Sms add crew +12065550001 Ada")
	c.WaitFor(t, "to crew")
}
