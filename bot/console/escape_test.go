package console_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"smsbot/bot"
	"smsbot/bot/console"
)

func TestEscape(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"clear screen", "\x1b[2J\x1b[Hhi", `\x1b[2J\x1b[Hhi`},
		{"window title", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"clipboard", "\x1b]52;c;Y3VybCBldmlsfHNo\x1b\\", `\x1b]52;c;Y3VybCBldmlsfHNo\x1b\`},
		{"colour", "\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"8-bit CSI", "\u009b31mred", `\u009b31mred`},
		{"8-bit CSI byte", "\x9b31mred", `\x9b31mred`},
		{"cut UTF-8", "caf\xc3", `caf\xc3`},
		{"carriage return", "paid\rUNPAID", `paid\rUNPAID`},
		{"backspace and DEL", "ab\b\x7f", `ab\x08\x7f`},
		{"tab", "a\tb", `a\tb`},
		{"NUL", "a\x00b", `a\x00b`},
		{"RTL override", "invoice\u202Efdp.exe", `invoice\u202efdp.exe`},
		{"RTL isolate", "\u2067abc\u2069", `\u2067abc\u2069`},
		{"LRM", "a\u200Eb", `a\u200eb`},
		{"zero-width space", "pay\u200Bpal", `pay\u200bpal`},
		{"word joiner and BOM", "\uFEFFa\u2060b", `\ufeffa\u2060b`},
		{"soft hyphen", "ad\u00ADmin", `ad\u00admin`},
		{"tag characters", "hi\U000E0041\U000E0042", `hi\U000e0041\U000e0042`},
		{"line separator", "a\u2028b", `a\u2028b`},
		{"line break kept", "line one\nline two", "line one\nline two"},
		// Text that is only text stays.
		{"plain", "Dinner is served in Hall B", "Dinner is served in Hall B"},
		{"emoji with joiners", "👨‍👩‍👧 🏳️‍🌈 👍🏽", "👨‍👩‍👧 🏳️‍🌈 👍🏽"},
		{"CJK", "晚餐在B厅供应", "晚餐在B厅供应"},
		{"combining marks", "e\u0301 n\u0303 Z\u0351\u0354", "e\u0301 n\u0303 Z\u0351\u0354"},
		{"Arabic and Persian", "می\u200cخواهم سلام", "می\u200cخواهم سلام"},
		{"replacement character", "a\uFFFDb", "a\uFFFDb"},
		{"backslash", `C:\x1b`, `C:\x1b`},
	}
	for _, tt := range tests {
		if got := console.Escape(tt.in, false); got != tt.want {
			t.Errorf("%s: Escape(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
	if got := console.Escape("a\nb", true); got != `a\nb` {
		t.Errorf("Escape on one line = %q", got)
	}
}

// TestRelayedTextIsEscaped: what an attendee wrote reaches the terminal
// shown, not obeyed, in every part of a message.
func TestRelayedTextIsEscaped(t *testing.T) {
	var out bytes.Buffer
	c := console.New(console.Config{Out: &out})
	evil := "\x1b]0;owned\x07\x1b[2J\u202Eevil\u200B"
	_, err := c.Relay(context.Background(), "", bot.Message{
		Title:   "💬 " + evil + "\n── Broadcast #1 to crew: finished",
		Text:    "> " + evil + "\n> second line",
		Fields:  []bot.Field{{Label: evil, Value: evil + "\nmore"}},
		Buttons: []bot.Button{{Label: evil, Action: "approve:1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	shown := `\x1b]0;owned\x07\x1b[2J\u202eevil\u200b`
	want := "── 💬 " + shown + `\n── Broadcast #1 to crew: finished` + "\n" +
		"│ " + shown + "\n│ second line\n" +
		"   " + shown + ": " + shown + "\n      more\n" +
		"   [" + shown + "] /click approve:1\n"
	if got := out.String(); got != want {
		t.Errorf("printed:\n%q\nwant:\n%q", got, want)
	}
}

// shows reports the first rune of out a terminal would act on or hide: a
// control other than the line break, DEL, a C1 control, a format character
// other than the joiners, a line separator, or a byte that is not UTF-8.
func shows(out string, oneLine bool) (bad rune, ok bool) {
	if !utf8.ValidString(out) {
		return utf8.RuneError, false
	}
	for _, r := range out {
		switch {
		case r == '\n' && !oneLine:
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, r == 0x2028, r == 0x2029,
			unicode.Is(unicode.Cf, r) && r != 0x200c && r != 0x200d:
			return r, false
		}
	}
	return 0, true
}

// FuzzRender: whatever a message holds, the console prints only what a
// terminal shows, with one line break per line of the layout, and Escape
// leaves text that needs nothing alone.
func FuzzRender(f *testing.F) {
	f.Add("Eve (+12065550100)", "> hi\n> there")
	f.Add("\x1b]0;x\x07", "\x1b[2J\u202e\u200b")
	f.Add("\xff\xfe", "a\r\nb\u2028c\u009b")
	f.Fuzz(func(t *testing.T, title, text string) {
		for _, oneLine := range []bool{false, true} {
			esc := console.Escape(text, oneLine)
			if r, ok := shows(esc, oneLine); !ok {
				t.Fatalf("Escape(%q, %v) = %q holds %U", text, oneLine, esc, r)
			}
			if _, ok := shows(text, oneLine); ok && esc != text {
				t.Fatalf("Escape(%q, %v) = %q, want it unchanged", text, oneLine, esc)
			}
		}
		m := bot.Message{Title: title, Text: text, Fields: []bot.Field{{Label: title, Value: text}},
			Buttons: []bot.Button{{Label: title, Action: "approve:1"}}}
		out := console.Render(m)
		if r, ok := shows(out, false); !ok {
			t.Fatalf("Render printed %U: %q", r, out)
		}
		if tty := console.RenderTerminal(m); !onlyOurANSI(tty) {
			t.Fatalf("on a terminal, Render printed an escape sequence of the text: %q", tty)
		}
		lines := 2 + strings.Count(text, "\n") // the field, the button
		if title != "" {
			lines++
		}
		if text != "" {
			lines += 1 + strings.Count(text, "\n")
		}
		if got := strings.Count(out, "\n"); got != lines {
			t.Fatalf("Render printed %d lines, want %d: %q", got, lines, out)
		}
	})
}
