package inbound

import (
	"testing"
	"unicode/utf8"
)

func TestParseKeyword(t *testing.T) {
	tests := []struct {
		body string
		want Keyword
	}{
		{"STOP", Stop}, {"stop", Stop}, {"  Stop  ", Stop}, {"stop.", Stop}, {"STOP!", Stop},
		{"StopAll", Stop}, {"unsubscribe", Stop}, {"cancel", Stop}, {"END", Stop}, {"quit", Stop},
		{"revoke", Stop}, {"optout", Stop},
		{"START", Start}, {"yes", Start}, {"Unstop", Start},
		{"HELP", Help}, {"info", Help}, {"help?", Help},
		{"please stop", NoKeyword}, {"stop texting me", NoKeyword}, {"which room?", NoKeyword},
		{"", NoKeyword}, {"   ", NoKeyword}, {"OPT OUT", NoKeyword}, {"yes please", NoKeyword},
		{"stopp", NoKeyword}, {"ＳＴＯＰ", NoKeyword},
	}
	for _, tt := range tests {
		if got := ParseKeyword(tt.body); got != tt.want {
			t.Errorf("ParseKeyword(%q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

func FuzzParseKeyword(f *testing.F) {
	for _, s := range []string{"STOP", "stop.", "please stop", "", "  Help  ", "ÿ", "yes\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		k := ParseKeyword(body)
		if k != NoKeyword && ParseKeyword(string(k)) != k {
			t.Fatalf("keyword %q does not parse as itself", k)
		}
		if k != NoKeyword && utf8.RuneCountInString(body) < len(k)-3 {
			t.Fatalf("%q is too short to be %q", body, k)
		}
	})
}
