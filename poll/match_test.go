package poll

import (
	"strings"
	"testing"
)

// Realistic polls the replies below answer.
var (
	shuttle  = []string{"5 pm shuttle", "7 pm shuttle"}
	workshop = []string{"Yes, I'll come", "No, can't make it"}
	meal     = []string{"Végétarien", "Poisson", "Poulet rôti"}
	session  = []string{
		"Keynote", "Design lab", "Café chat", "Pizza", "Pizza with ham",
		"Hack room", "One-on-one mentoring", "Quiet room", "Closing party",
	}
)

// none is the result of a reply that is not an answer.
const none = 0

func TestMatch(t *testing.T) {
	t.Parallel()
	cases := []struct {
		poll    []string
		text    string
		want    int
		comment string
	}{
		// By number.
		{shuttle, "1", 1, ""},
		{shuttle, "2", 2, ""},
		{shuttle, " 1 ", 1, "space around"},
		{shuttle, "1.", 1, ""},
		{shuttle, "#1", 1, ""},
		{shuttle, "1)", 1, ""},
		{shuttle, "2!!", 2, ""},
		{shuttle, "one", 1, ""},
		{shuttle, "One!", 1, ""},
		{shuttle, "TWO", 2, ""},
		{shuttle, "option 1", 1, ""},
		{shuttle, "Option #2", 2, ""},
		{shuttle, "02", 2, "leading zero"},
		{shuttle, "２", 2, "full-width digit"},
		{shuttle, "2 🚌", 2, "trailing emoji"},
		{shuttle, "2, see you there", 2, "short note"},
		{shuttle, "2 please, thanks!", 2, ""},
		{shuttle, "3", none, "out of range"},
		{shuttle, "0", none, "out of range"},
		{shuttle, "7", none, "out of range, though it is in a label"},
		{shuttle, "three", none, "out of range"},
		{shuttle, "1 and 2", none, "two answers"},
		{shuttle, "1 or 2", none, ""},
		{shuttle, "1,2", none, ""},
		{shuttle, "1/2", none, ""},
		{shuttle, "2 2", none, "repeated number in the note"},
		{shuttle, "2 maybe", none, "hedge"},
		{shuttle, "2, is it from gate B?", none, "a question goes to staff"},
		{shuttle, "2?", 2, "a bare answer with a question mark"},

		// By label.
		{shuttle, "5pm", 1, "leading part of the label"},
		{shuttle, "7PM", 2, ""},
		{shuttle, "5 PM shuttle", 1, ""},
		{shuttle, "5-pm shuttle", 1, ""},
		{shuttle, "5pm shuttle please", 1, ""},
		{shuttle, "7 pm please 🙏", 2, ""},
		{shuttle, "5pm or 7pm", none, "two answers"},
		{shuttle, "shuttle", none, "not a leading part"},
		{shuttle, "I'll take the 5pm", none, "labels are not searched in sentences"},
		{shuttle, "which bus is closer?", none, ""},
		{meal, "Végétarien", 1, ""},
		{meal, "vegetarien", 1, "accents ignored"},
		{meal, "VÉGÉTARIEN!", 1, ""},
		{meal, "poisson svp", 2, ""},
		{meal, "poulet", 3, "leading word"},
		{meal, "Poulet roti", 3, ""},
		{meal, "3", 3, ""},
		{meal, "poisson et poulet", none, "two labels"},
		{[]string{"Boeuf", "Poulet"}, "bœuf", 1, "œ is oe"},
		{[]string{"Bœuf", "Poulet"}, "BOEUF", 1, ""},
		{[]string{"BŒUF", "Poulet"}, "boeuf", 1, "Œ is oe"},
		{[]string{"Caesar salad", "Soup"}, "cæsar salad", 1, "æ is ae"},
		{[]string{"Strasse", "Platz"}, "Straße", 1, "ß is ss"},
		{[]string{"STRASSE", "Platz"}, "STRAẞE", 1, "ẞ is ss"},
		{[]string{"Søren's table", "Łukasz's table"}, "sorens table", 1, "ø is o"},
		{[]string{"Søren's table", "Łukasz's table"}, "lukasz's", 2, "ł is l"},
		{meal, "4", none, "out of range"},
		{session, "cafe chat", 3, ""},
		{session, "Café", 3, "leading word, accent"},
		{session, "pizza", 4, "a whole label wins over a label it begins"},
		{session, "pizza with ham", 5, ""},
		{session, "PIZZA WITH HAM 🍕", 5, ""},
		{session, "one", none, "number 1, but also how option 7 starts"},
		{session, "one on one mentoring", 7, ""},
		{session, "9", 9, ""},
		{session, "nine", 9, ""},
		{session, "10", none, "out of range"},
		{session, "hack room pls", 6, ""},
		{session, "room", none, ""},
		{session, "keynote and hack room", none, "two labels"},

		// Yes/no.
		{workshop, "yes", 1, ""},
		{workshop, "Yes!", 1, ""},
		{workshop, "YES 🙌", 1, ""},
		{workshop, "y", 1, ""},
		{workshop, "yeah", 1, ""},
		{workshop, "Yep", 1, ""},
		{workshop, "yesss", 1, "repeated letters"},
		{workshop, "YESSSSSSSSSSSSSSSSSSSSSSS!!!", 1, "longer than any yes word"},
		{workshop, "sure", 1, ""},
		{workshop, "ok?", 1, ""},
		{workshop, "👍", 1, ""},
		{workshop, "👍🏽", 1, "skin tone"},
		{workshop, "Yes, can't wait!", 1, ""},
		{workshop, "yes i'll come", 1, "the label"},
		{workshop, "Count me in", 1, ""},
		{workshop, "1", 1, "numbers still work"},
		{workshop, "no", 2, ""},
		{workshop, "N", 2, ""},
		{workshop, "Nope", 2, ""},
		{workshop, "Nooo 😢", 2, ""},
		{workshop, "👎", 2, ""},
		{workshop, "No, see y'all next time", 2, ""},
		{workshop, "Can't make it, sorry", 2, ""},
		{workshop, "2", 2, ""},
		{workshop, "yes no", none, "both"},
		{workshop, "yes or no", none, ""},
		{workshop, "no idea", none, ""},
		{workshop, "yes, not sure yet", none, ""},
		{workshop, "maybe", none, ""},
		{workshop, "yes if it's in the morning", none, ""},
		{workshop, "👍👎", none, ""},
		{workshop, "no 👍", none, ""},
		{workshop, "definitely not", 2, "a yes word then not"},
		{workshop, "Absolutely not!", 2, ""},
		{workshop, "certainly not", 2, ""},
		{workshop, "Of course not.", 2, ""},
		{workshop, "definitely not coming", 2, ""},
		{workshop, "sure, not", none, "a yes word then not, not a no word"},
		{workshop, "yes but not on time", none, "not after a yes"},
		{workshop, "No, not this time", 2, "not after a no"},
		{workshop, "no problem", none, "means yes"},
		{workshop, "No worries!", none, "means yes"},
		{workshop, "no doubt", none, "means yes"},
		{workshop, "no question, I'll be there", none, "means yes"},
		{workshop, "noproblem", none, "means yes"},
		{workshop, "noon", none, "not non squeezed"},
		{workshop, "noon works", none, ""},
		{workshop, "yess", 1, "a doubled last letter"},
		{workshop, "yeeesss", 1, ""},
		{workshop, "noooope", 2, ""},
		{workshop, "okkk", 1, ""},
		{workshop, "illll be there", 1, "a long run inside a phrase"},
		{workshop, "nooon", 2, "a long run folds"},
		{workshop, "moon", none, ""},
		{shuttle, "yes", none, "not a yes/no poll"},
		{shuttle, "👍", none, "not a yes/no poll"},

		// Never answers.
		{shuttle, "", none, "empty"},
		{shuttle, "   ", none, "space"},
		{shuttle, "🚌", none, "emoji only"},
		{workshop, "🙌🙌", none, "emoji only"},
		{shuttle, "both", none, ""},
		{shuttle, "maybe", none, ""},
		{workshop, "STOP", none, "keyword"},
		{workshop, "stop", none, "keyword"},
		{workshop, "Unsubscribe", none, "keyword"},
		{workshop, "START", none, "keyword"},
		{workshop, "help", none, "keyword"},
		{workshop, "cancel", none, "keyword"},
		{workshop, "end", none, "keyword"},
		{workshop, "Quit.", none, "keyword"},
		{workshop, "STOPALL", none, "keyword"},
		{workshop, "info", none, "keyword"},
		{workshop, "unstop", none, "keyword"},
		{workshop, "No. Stop texting me", none, "an opt-out inside an answer"},
		{workshop, "no, and stop texting me", none, ""},
		{workshop, "yes\nSTOP", none, ""},
		{workshop, "yes, unsubscribe", none, ""},
		{workshop, "no - opt out", none, "opt out in two words"},
		{shuttle, "1 STOP", none, ""},
		{shuttle, "2 unsubscribe", none, ""},
		{shuttle, "2 quit", none, ""},
		{shuttle, "2 cancel my 7pm", none, ""},
		{shuttle, "Stop the shuttle at 5", none, ""},
		{shuttle, "2, the end", none, ""},
		{shuttle, "2, it's a weekend", 2, "an opt-out word inside a word is not one"},
		{[]string{"Bus stop A", "Bus stop B"}, "bus stop a", none, "an opt-out word in a label"},
		{[]string{"Bus stop A", "Bus stop B"}, "1", 1, ""},
		{[]string{"End of day", "Morning"}, "end of day", none, "a keyword first, even in a label"},
		{[]string{"End of day", "Morning"}, "1", 1, ""},
		{[]string{"Start at 9", "Start at 10"}, "start at 9", none, "a keyword first"},
		{[]string{"Help desk", "Info booth"}, "Info booth", none, "a keyword first"},
		{[]string{"Help desk", "Info booth"}, "2", 2, ""},
		{shuttle, "2\x00", 2, "NUL"},
		{shuttle, "\x00\x01\x1b[2J", none, "control characters"},
		{shuttle, "\xff\xfe2", 2, "invalid UTF-8 separates"},
		{shuttle, "2 " + strings.Repeat("very ", 20) + "long", none, "a long note"},
		{shuttle, strings.Repeat("2", 1600), none, "1,600 digits"},
		{[]string{"2", "3"}, "2", none, "label 2 on option 1, number 2"},
		{[]string{"2", "3"}, "3", 2, "label 3 on option 2 (the number 3 is out of range)"},
		{[]string{"Same", "Same"}, "same", none, "duplicate labels"},
		{[]string{"Same", "Same"}, "2", 2, ""},
	}
	for _, c := range cases {
		got, ok := Match(c.text, c.poll)
		if got != c.want || ok != (c.want != none) {
			t.Errorf("Match(%q, %q) = %d, %v; want %d (%s)", c.text, c.poll, got, ok, c.want, c.comment)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	replies := []string{
		"3", "#7", "nine", "Hack room", "pizza with ham 🍕", "cafe chat please",
		"2, see you there", "1 and 2", "which room is the keynote in?", "STOP",
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Match(replies[i%len(replies)], session)
	}
}
