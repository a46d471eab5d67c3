package console_test

import (
	"strings"
	"testing"

	"smsbot/bot/bottest"
)

// In the console, \n in a line is a line break of the message; \\n
// stays a literal \n; an import's Windows path keeps its backslashes.
func TestConsoleMultiLineMessage(t *testing.T) {
	c := newChat(t, bottest.Setup{}).(*chat)
	c.Type(t, "console", "numbers add +12065550101 10")
	c.WaitFor(t, "Added")
	c.Type(t, "console", "add crew +12065550001 Ada")
	c.WaitFor(t, "to crew")
	c.Type(t, "console", `send crew Dinner is served\nRoom 2, see C:\\new`)
	preview := c.WaitFor(t, "waiting for approval")
	if !strings.Contains(preview, "│ Dinner is served\n│ Room 2, see C:\\new\n") {
		t.Fatalf("preview:\n%s", preview)
	}
	c.Press(t, "console", c.Button(t, "Approve"))
	c.WaitFor(t, "finished")
	sent := c.Sent()
	if len(sent) != 1 || sent[0].Body != "Dinner is served\nRoom 2, see C:\\new" {
		t.Fatalf("carrier got %+v", sent)
	}
	c.Type(t, "console", `import crew C:\new\list.csv`)
	if got := c.WaitFor(t, "list.csv"); !strings.Contains(got, `C:\new\list.csv`) {
		t.Errorf("the import's path lost its backslashes:\n%s", got)
	}
}
