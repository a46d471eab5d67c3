package bot

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClipCountsUTF16Units(t *testing.T) {
	r := strings.Repeat
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"short", "+1 206 555", 10, "+1 206 555"},
		{"ASCII", r("a", 12), 10, r("a", 9) + "…"},
		{"emoji count 2", r("😀", 6), 10, r("😀", 4) + "…"}, // 8 + 1 units
		{"emoji at an odd cut", "a" + r("😀", 6), 10, "a" + r("😀", 4) + "…"},
		{"CJK count 1", r("漢", 12), 10, r("漢", 9) + "…"},
		{"combining marks stay with their letter", r("a", 8) + "e\u0301\u0301x", 10, r("a", 8) + "…"},
		{"skin tone stays with its hand", r("a", 7) + "👍🏽👍🏽", 10, r("a", 7) + "…"},
		{"no dangling joiner", r("a", 4) + "👨\u200d👩\u200d👧\u200d👦", 10, r("a", 4) + "👨…"},
		{"invalid UTF-8 counts 1", r("\xff", 12), 10, r("\xff", 9) + "…"},
	}
	for _, tt := range tests {
		got := clip(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("%s: clip(%q, %d) = %q, want %q", tt.name, tt.in, tt.max, got, tt.want)
		}
		if n := utf16Len(got); n > tt.max {
			t.Errorf("%s: clip(%q, %d) is %d units", tt.name, tt.in, tt.max, n)
		}
		if utf8.ValidString(tt.in) && !utf8.ValidString(got) {
			t.Errorf("%s: clip(%q, %d) = %q cuts a character", tt.name, tt.in, tt.max, got)
		}
	}
}
