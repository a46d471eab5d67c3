package slack_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"smsbot/bot"
	botslack "smsbot/bot/slack"
)

// Characters Slack may count differently: in code points, UTF-16 units
// and UTF-8 bytes, and characters made of several code points that must
// not be cut apart.
var units = []struct{ name, unit string }{
	{"ascii", "a"},
	{"accent", "é"},                       // 1 code point, 1 unit, 2 bytes
	{"CJK", "中"},                          // 1, 1, 3
	{"emoji", "😀"},                        // 1, 2, 4
	{"combining marks", "e\u0301\u0323"},  // 3, 3, 5
	{"family", "👩\u200D👩\u200D👧"},         // 5, 8, 18
	{"flag", "🇩🇪"},                        // 2, 4, 8
	{"escape", "&"},                       // sent as &amp;: 5
	{"thumbs up with tone", "👍🏽"},         // 2, 4, 8
	{"keycap", "1\uFE0F\u20E3"},           // 3, 3, 7
	{"hangul jamo", "\u1100\u1161\u11A8"}, // 3, 3, 9
	{"subdivision flag", "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"},
}

// Texts at, just over and far over Slack's limits, in every kind of
// character: Slack takes the message (the fake counts strictly), nothing
// is cut inside a character or an escape, and a text is cut only when it
// does not fit in the message at all.
func TestSlackFitsTextsAtTheLimits(t *testing.T) {
	for _, u := range units {
		esc := len(strings.NewReplacer("&", "&amp;").Replace(u.unit)) // bytes as sent
		for _, tt := range []struct {
			name  string
			bytes int  // of the text as sent, about
			cut   bool // the text cannot be shown whole
		}{
			{"one section", 3000, false},
			{"just over a section", 3000 + esc, false},
			{"four sections", 11000, false},
			{"far over", 40000, true},
		} {
			t.Run(u.name+"/"+tt.name, func(t *testing.T) {
				n := tt.bytes / esc
				text := strings.Repeat(u.unit, n)
				m := bot.Message{Text: text, Buttons: []bot.Button{{Label: strings.Repeat(u.unit, 80), Action: "approve:1"}}}
				blocks := botslack.Blocks(m)
				checkAccepted(t, botslack.Fallback(m), blocks)
				var sections []string
				for _, b := range blocks {
					if s, ok := b.(*slack.SectionBlock); ok {
						sections = append(sections, s.Text.Text)
					}
				}
				shown := strings.Join(sections, "")
				if cut := strings.HasSuffix(shown, "…"); cut != tt.cut {
					t.Fatalf("cut = %v, want %v (%d sections)", cut, tt.cut, len(sections))
				}
				if tt.bytes == 3000 && len(sections) != 1 {
					t.Errorf("%d sections for a text of %d bytes", len(sections), n*esc)
				}
				wholeUnits(t, "text", text, strings.TrimSuffix(shown, "…"))
				for _, s := range sections[1:] {
					if strings.HasPrefix(s, "\u0301") || strings.HasPrefix(s, "\u200D") || strings.HasPrefix(s, "amp;") {
						t.Errorf("a section starts inside a character or an escape: %q", s[:10])
					}
				}
				label := blockTexts(t, blocks[len(blocks)-1:])[0]
				wholeUnits(t, "button", strings.Repeat(u.unit, 80), strings.TrimSuffix(label, "…"))
			})
		}
	}
}

// Titles, fields and labels just at their limit are not cut; one more
// character is.
func TestSlackFitsTitlesAndFieldsExactly(t *testing.T) {
	for _, tt := range []struct {
		name    string
		m       bot.Message
		want    string // the text of the one block or element
		wantCut bool
	}{
		{"title at 3,000", bot.Message{Title: strings.Repeat("中", 999) + "a"}, "*" + strings.Repeat("中", 999) + "a*", false},
		{"title over", bot.Message{Title: strings.Repeat("中", 1000)}, "*" + strings.Repeat("中", 998) + "…*", true},
		{"field at 2,000", bot.Message{Fields: []bot.Field{{Label: "L", Value: strings.Repeat("😀", 499)}}}, "*L*\n" + strings.Repeat("😀", 499), false},
		{"field over", bot.Message{Fields: []bot.Field{{Label: "L", Value: strings.Repeat("😀", 499) + "a"}}}, "*L*\n" + strings.Repeat("😀", 498) + "…", true},
		{"button at 75", bot.Message{Buttons: []bot.Button{{Label: strings.Repeat("😀", 18) + "abc", Action: "a:1"}}}, strings.Repeat("😀", 18) + "abc", false},
		{"button over", bot.Message{Buttons: []bot.Button{{Label: strings.Repeat("😀", 19), Action: "a:1"}}}, strings.Repeat("😀", 18) + "…", true},
		{"escapes are never cut", bot.Message{Title: strings.Repeat("&", 600)}, "*" + strings.Repeat("&amp;", 599) + "…*", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			blocks := botslack.Blocks(tt.m)
			checkAccepted(t, botslack.Fallback(tt.m), blocks)
			texts := blockTexts(t, blocks)
			if len(texts) != 1 || texts[0] != tt.want {
				t.Fatalf("got %d texts, %.80q…; want %.80q…", len(texts), texts, tt.want)
			}
		})
	}
}

// checkAccepted fails unless Slack (the fake's strict checks) takes a
// message with this text and blocks.
func checkAccepted(t *testing.T, text string, blocks []slack.Block) {
	t.Helper()
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	if code, details := checkMessage(text, string(raw)); code != "" {
		t.Fatalf("Slack would refuse it: %s %v", code, details)
	}
}

// wholeUnits fails unless shown, unescaped, is whole repetitions of the
// start of full.
func wholeUnits(t *testing.T, what, full, shown string) {
	t.Helper()
	plain := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(shown)
	if !strings.HasPrefix(full, plain) {
		t.Fatalf("%s: shown text is not the start of the text: %.40q", what, plain)
	}
	for _, u := range units {
		if strings.HasPrefix(full, u.unit+u.unit) && strings.Count(full, u.unit)*len(u.unit) == len(full) && len(plain)%len(u.unit) != 0 {
			t.Fatalf("%s: cut inside a character: %d bytes of %q units", what, len(plain), u.unit)
		}
	}
}
