package discord

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Hostile text from attendees (names, texts, file names) reaches staff as
// typed: no mention, link, heading, spoiler or hidden character survives
// the escaping, and the router's own *bold*, `code` and "> " still work.
func TestEscapeHostileText(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"masked link", "[Refund](https://evil.example/x)", `\[Refund\](https://evil.example/x)`},
		{"masked link looking like a link", "[https://tickets.example](https://evil.example)", `\[https://tickets.example%5D(https://evil.example)`},
		{"user mention", "hi <@123456789012345678>", `hi \<@123456789012345678>`},
		{"role mention", "<@&987654321098765432> look", `\<@&987654321098765432> look`},
		{"channel link", "see <#111>", `see \<#111>`},
		{"everyone", "@everyone @here free pizza", "@everyone @here free pizza"}, // allowed_mentions keeps them silent
		{"timestamp", "<t:1700000000:R>", `\<t:1700000000:R>`},
		{"custom emoji", "<:pepe:123>", `\<:pepe:123>`},
		{"slash command", "</sms send:1>", `\</sms send:1>`},
		{"heading", "# URGENT", `\# URGENT`},
		{"subtext", "-# small print", `\-# small print`},
		{"heading on a later line", "ok\n## BIG", "ok\n\\## BIG"},
		{"list", "- one\n1. two", "\\- one\n1\\. two"},
		{"heading inside the router's quote", "> # BIG", `> \# BIG`},
		{"quote inside the router's quote", "> > fake reply", `> \> fake reply`},
		{"block quote", ">>> everything", `\>>> everything`},
		{"spoiler", "||hidden||", `\|\|hidden\|\|`},
		{"strike and underline", "~~no~~ __yes__", `\~\~no\~\~ \_\_yes\_\_`},
		{"italics", "_x_", `\_x\_`},
		{"code block", "```js\nalert(1)\n```", "\\`\\`\\`js\nalert(1)\n\\`\\`\\`"},
		{"escape of an escape", `\[a](b)`, `\\\[a\](b)`},
		{"router bold", "*Total:* 3", "**Total:** 3"},
		{"markup inside bold", "*[x](y)*", `**\[x\](y)**`},
		{"stray star", "5 * 3", `5 \* 3`},
		{"router code", "`/sms unschedule 3`", "`/sms unschedule 3`"},
		{"code keeps its text", "`<@1> [a](b)`", "`<@1> [a](b)`"},
		{"link kept", "https://example.org/a_b~c|d*e", "https://example.org/a%5Fb%7Ec%7Cd%2Ae"},
		{"RTL override", "invoice\u202Egnp.exe", "invoice‹U+202E›gnp.exe"},
		{"isolate", "\u2067abc\u2069", "‹U+2067›abc‹U+2069›"},
		{"marks", "a\u200Fb\u200Ec", "a‹U+200F›b‹U+200E›c"},
		{"zero-width space", "@every\u200Bone", "@everyone"},
		{"word joiner and BOM", "a\u2060b\uFEFFc", "abc"},
		{"soft hyphen", "pay\u00ADpal", "paypal"},
		{"hangul filler name", "\u3164", ""},
		{"tags smuggled", "hi\U000E0041\U000E0042", "hi"},
		{"flag of Scotland kept", "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"},
		{"emoji joiner kept", "👩\u200D💻", "👩\u200D💻"},
		{"joiner between letters removed", "a\u200Db", "ab"},
		{"non-joiner in Persian kept", "می\u200Cخواهم", "می\u200Cخواهم"},
		{"controls", "bell\a esc\x1b[31m nul\x00", `bell esc\[31m nul`},
		{"line separator", "a\u2028b", "a\nb"},
		{"invalid UTF-8", "a\xffb", "a\uFFFDb"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := fit(tt.in, 4096); got != tt.want {
				t.Fatalf("fit(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// plain (labels, thread names, choices) cleans without markdown.
func TestPlain(t *testing.T) {
	for in, want := range map[string]string{
		"Ada\u202E (+49…)":     "Ada‹U+202E› (+49…)",
		"two\nlines  here":     "two lines here",
		"[x](y) <@1>":          "[x](y) <@1>", // shown as typed: thread names and labels have no markdown
		"\u200B\u200B":         "",
		"  Grace Hopper \x1b ": "Grace Hopper",
	} {
		if got := plain(in, 100); got != want {
			t.Errorf("plain(%q) = %q, want %q", in, got, want)
		}
	}
}

// Clipping happens between escapes and characters, and closes the markup
// it cuts into.
func TestFitClipsBetweenEscapes(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"[[[[[[", 6, `\[\[…`},
		{"ab[cd", 4, "ab…"},
		{"*bold text here*", 10, "**bold…**"},
		{"`code here`", 7, "`code…`"},
		{"see https://example.org/long/path", 10, "see…"},
		{"🙂🙂🙂🙂", 5, "🙂🙂…"},
	} {
		got := fit(tt.in, tt.n)
		if got != tt.want || units(got) > tt.n {
			t.Errorf("fit(%q, %d) = %q (%d units), want %q", tt.in, tt.n, got, units(got), tt.want)
		}
	}
}

// FuzzEscape: whatever the input, the escaped text is valid UTF-8 within
// its limit, has every markdown character escaped outside code, no hidden
// or reordering character, and, unclipped, shows the cleaned input.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"[x](https://evil)", "<@1> @everyone", "# h\n-# s\n> q", "*b* `c` ||s||", "\u202Eabc", "👩\u200D💻🏴\U000E0067\U000E007F", "e\u0301\u0301"} {
		f.Add(s, 50)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = 2 + abs(n)%5000
		out := fit(s, n)
		if !utf8.ValidString(out) || units(out) > n {
			t.Fatalf("fit(%q, %d) = %q: %d units, valid %v", s, n, out, units(out), utf8.ValidString(out))
		}
		checkEscaped(t, s, out)
		if full := fit(s, 1<<30); !strings.ContainsAny(s, "*`") && !strings.Contains(s, "http") {
			if shown := unescape(full); shown != clean(s) {
				t.Fatalf("fit(%q) shows %q, want %q", s, shown, clean(s))
			}
			if clipped := strings.TrimSuffix(out, ellipsis); out != full && !strings.HasPrefix(full, clipped) {
				t.Fatalf("clipped %q is not a prefix of %q", out, full)
			}
		}
	})
}

// checkEscaped fails when out has, outside code spans, a markdown
// character not escaped, or a hidden or reordering character.
func checkEscaped(t *testing.T, in, out string) {
	t.Helper()
	code := false
	for i := 0; i < len(out); i++ {
		c := out[i]
		switch {
		case c == '\\' && !code:
			i++ // the escaped character
		case c == '`':
			code = !code
		case !code && strings.IndexByte(`[]<_~|`, c) >= 0:
			t.Fatalf("fit(%q) = %q: %q at %d is not escaped", in, out, c, i)
		}
	}
	for _, r := range out {
		if r == '\u202e' || r == '\u200b' || r == '\u2066' || r == '\ufeff' || r >= 0xe0100 && r <= 0xe01ef {
			t.Fatalf("fit(%q) = %q: hidden character %U", in, out, r)
		}
	}
}

// unescape is what Discord shows of an escaped text without markup: a
// backslash before punctuation is dropped.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`\*_~|`+"`"+`[]<#->+.`, s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
