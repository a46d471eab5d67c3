package console_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"smsbot/bot"
	"smsbot/bot/console"
)

// ours matches the only escape sequences the console writes itself.
var ours = regexp.MustCompile(`\x1b\[(1|22|2|36|39)m`)

// onlyOurANSI reports whether out, without the console's own sequences,
// is something a terminal only shows.
func onlyOurANSI(out string) bool {
	_, ok := shows(ours.ReplaceAllString(out, ""), false)
	return ok
}

func TestMarkdown(t *testing.T) {
	for _, tt := range []struct{ text, plain, tty string }{
		{"*Total:* sent 3", "Total: sent 3", "\x1b[1mTotal:\x1b[22m sent 3"},
		{"try `/sms help` now", "try /sms help now", "try \x1b[36m/sms help\x1b[39m now"},
		{"> Dinner\n> Room 2", "│ Dinner\n│ Room 2", "\x1b[2m│\x1b[22m Dinner\n\x1b[2m│\x1b[22m Room 2"},
		{"*bold `code`*", "bold code", "\x1b[1mbold \x1b[36mcode\x1b[39m\x1b[22m"},
		{"2*3*4 and \"0 9 * * *\"", "2*3*4 and \"0 9 * * *\"", "2*3*4 and \"0 9 * * *\""},
		{"a lone ` and * star", "a lone ` and * star", "a lone ` and * star"},
		{"*not\nacross* lines", "*not\nacross* lines", "*not\nacross* lines"},
		{"x >not a quote", "x >not a quote", "x >not a quote"},
	} {
		m := bot.Message{Text: tt.text}
		if got := console.Render(m); got != tt.plain+"\n" {
			t.Errorf("Render(%q) = %q, want %q", tt.text, got, tt.plain+"\n")
		}
		if got := console.RenderTerminal(m); got != tt.tty+"\n" {
			t.Errorf("on a terminal, Render(%q) = %q, want %q", tt.text, got, tt.tty+"\n")
		}
	}
}

// On a terminal, markdown is rendered with ANSI, but an attendee's own
// escape sequences are still shown, not obeyed, even inside a bold or
// code span, and every span is closed on its line.
func TestTerminalMarkdownEscapesText(t *testing.T) {
	var out bytes.Buffer
	c := console.New(console.Config{Out: &out, Terminal: true})
	evil := "\x1b[31m *red* \x1b[0m `\x1b]0;x\x07`"
	if _, err := c.Post(context.Background(), bot.Message{Title: evil, Text: "> " + evil,
		Fields: []bot.Field{{Label: evil, Value: evil}}}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !onlyOurANSI(got) {
		t.Errorf("printed an attendee's escape sequence: %q", got)
	}
	if !strings.Contains(got, `\x1b[31m `+"\x1b[1mred\x1b[22m") {
		t.Errorf("the text's sequence is not shown, or the bold not rendered: %q", got)
	}
	for _, l := range strings.Split(got, "\n") {
		if strings.Count(l, "\x1b[1m")+strings.Count(l, "\x1b[2m") != strings.Count(l, "\x1b[22m") ||
			strings.Count(l, "\x1b[36m") != strings.Count(l, "\x1b[39m") {
			t.Errorf("a span is left open on line %q", l)
		}
	}
}
