package bot

import (
	"slices"
	"testing"
)

func TestCut(t *testing.T) {
	tests := []struct{ in, word, rest string }{
		{"send crew Dinner  is\nserved", "send", "crew Dinner  is\nserved"},
		{"  status   ", "status", ""},
		{"", "", ""},
		{"help", "help", ""},
	}
	for _, tt := range tests {
		if w, r := cut(tt.in); w != tt.word || r != tt.rest {
			t.Errorf("cut(%q) = %q, %q; want %q, %q", tt.in, w, r, tt.word, tt.rest)
		}
	}
}

func TestSplitPhone(t *testing.T) {
	tests := []struct{ in, phone, rest string }{
		{"+1 206 555 0100 Ada Lovelace", "+1 206 555 0100", "Ada Lovelace"},
		{"(206) 555-0100", "(206) 555-0100", ""},
		{"206.555.0100 x12 Bob", "206.555.0100 x12", "Bob"},
		{"206-555-0100 ext 12", "206-555-0100 ext 12", ""},
		{"+447400123456 Xavier", "+447400123456", "Xavier"},
		{"hello world", "hello", "world"},
		{"", "", ""},
		{"+12065550001 5 minutes away", "+12065550001", "5 minutes away"},
		{"206 555 0100 10 people at table 4", "206 555 0100", "10 people at table 4"},
		{"+1 206 555 0100 2", "+1 206 555 0100", "2"},
	}
	for _, tt := range tests {
		if p, r := splitPhone(tt.in, "US"); p != tt.phone || r != tt.rest {
			t.Errorf("splitPhone(%q) = %q, %q; want %q, %q", tt.in, p, r, tt.phone, tt.rest)
		}
	}
}

func TestParseID(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"3", 3, true}, {"#12", 12, true}, {"0", 0, false}, {"-1", 0, false}, {"three", 0, false}, {"#", 0, false},
	}
	for _, tt := range tests {
		got, err := parseID(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("parseID(%q) = %d, %v", tt.in, got, err)
		}
	}
}

func TestSuggest(t *testing.T) {
	known := []string{"add", "cancel", "help", "lists", "numbers", "pause", "remove", "resume", "send", "status"}
	tests := []struct {
		in   string
		want []string
	}{
		{"sned", []string{"send"}},
		{"stat", []string{"status"}},
		{"resum", []string{"resume"}},
		{"xyzzy", nil},
		{"SNED", []string{"send"}},
		{"sxnx", nil}, // 2 edits in a 4-letter word: too far
		{"cancle", []string{"cancel"}},
		{"numbrs", []string{"numbers"}},
		{"remvoe", []string{"remove"}},
	}
	for _, tt := range tests {
		if got := suggest(tt.in, known); !slices.Equal(got, tt.want) {
			t.Errorf("suggest(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestValidListName(t *testing.T) {
	for _, ok := range []string{"crew", "day-1", "team_A", "vip.2026", "équipe"} {
		if err := validListName(ok); err != nil {
			t.Errorf("validListName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a b", "crew!", "x/y"} {
		if err := validListName(bad); err == nil {
			t.Errorf("validListName(%q) accepted", bad)
		}
	}
}

func TestSuggestListNames(t *testing.T) {
	known := []string{"Friends", "crew", "day-1", "équipe"}
	tests := []struct {
		in   string
		want []string
	}{
		{"frends", []string{"Friends"}},
		{"CREW", []string{"crew"}},
		{"cre", []string{"crew"}},
		{"day-2", []string{"day-1"}},
		{"equipe", []string{"équipe"}},
		{"vips", nil},
	}
	for _, tt := range tests {
		if got := suggest(tt.in, known); !slices.Equal(got, tt.want) {
			t.Errorf("suggest(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestCommandTextAndListName(t *testing.T) {
	for in, want := range map[string]string{
		"/SMS send crew Hi": "send crew Hi", "/sms lists": "lists", "sms lists": "lists",
		"send sms now": "send sms now", "sms": "sms", "lists": "lists",
	} {
		if got := commandText(in); got != want {
			t.Errorf("commandText(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		`"friends"`: "friends", "'crew'": "crew", "“vip”": "vip", "`x`": "x", `"`: `"`, "plain": "plain", `"half`: `"half`,
	} {
		if got := listName(in); got != want {
			t.Errorf("listName(%q) = %q, want %q", in, got, want)
		}
	}
}
