package poll

import (
	"fmt"
	"testing"
)

func TestYesNo(t *testing.T) {
	t.Parallel()
	cases := []struct {
		options []string
		want    bool
	}{
		{[]string{"Yes", "No"}, true},
		{[]string{"yes", "no"}, true},
		{[]string{"Yes, I'll come", "No, can't make it"}, true},
		{[]string{"Y", "N"}, true},
		{[]string{"YES!", "NO!"}, true},
		{[]string{"Sure", "Nope"}, true},
		{[]string{"Count me in", "Can't make it"}, true},
		{[]string{"👍", "👎"}, true},
		{[]string{"Oui", "Non"}, true},
		{[]string{"No", "Yes"}, false},
		{[]string{"Yes", "Maybe"}, false},
		{[]string{"Yes", "No", "Maybe"}, false},
		{[]string{"Yes"}, false},
		{nil, false},
		{[]string{"5 pm shuttle", "7 pm shuttle"}, false},
		{[]string{"Vegetarian", "Non-vegetarian"}, false},
		{[]string{"", ""}, false},
		{[]string{"Yes 2", "No 3"}, false},
	}
	for _, c := range cases {
		if got := YesNo(c.options); got != c.want {
			t.Errorf("YesNo(%q) = %v, want %v", c.options, got, c.want)
		}
	}
}

func TestBody(t *testing.T) {
	t.Parallel()
	cases := []struct {
		question string
		options  []string
		want     string
	}{
		{"Which shuttle are you taking?", shuttle,
			"Which shuttle are you taking?\n1) 5 pm shuttle\n2) 7 pm shuttle\nReply 1 or 2"},
		{"Dinner choice?", meal,
			"Dinner choice?\n1) Végétarien\n2) Poisson\n3) Poulet rôti\nReply 1, 2 or 3"},
		{"Coming to the workshop Saturday?", workshop,
			"Coming to the workshop Saturday?\n1) Yes, I'll come\n2) No, can't make it\nReply Y or N"},
		{"Pick a session", session,
			"Pick a session\n1) Keynote\n2) Design lab\n3) Café chat\n4) Pizza\n5) Pizza with ham\n" +
				"6) Hack room\n7) One-on-one mentoring\n8) Quiet room\n9) Closing party\nReply 1 to 9"},
		{"T-shirt size?", []string{"S", "M", "L", "XL"},
			"T-shirt size?\n1) S\n2) M\n3) L\n4) XL\nReply 1 to 4"},
		{"  Spaces trimmed  \n", []string{"  Early \n bus ", "Late\tbus"},
			"Spaces trimmed\n1) Early bus\n2) Late bus\nReply 1 or 2"},
		{"", []string{"Y", "N"}, "1) Y\n2) N\nReply Y or N"},
		{"Only one?", []string{"Yes"}, "Only one?\n1) Yes\nReply 1"},
		{"No options", nil, "No options"},
	}
	for _, c := range cases {
		if got := Body(c.question, c.options); got != c.want {
			t.Errorf("Body(%q, %q) =\n%s\nwant\n%s", c.question, c.options, got, c.want)
		}
	}
}

// TestBodyAnswers checks that every option of a poll's text, answered with
// its number or its label, is read as that option.
func TestBodyAnswers(t *testing.T) {
	t.Parallel()
	for _, options := range [][]string{shuttle, workshop, meal, session} {
		for i, o := range options {
			replies := []string{fmt.Sprint(i + 1), fmt.Sprintf("%d)", i+1), o}
			if YesNo(options) {
				// what the reply line says, and the words it stands for
				replies = append(replies, [][]string{{"Y", "y", "YES", "yes"}, {"N", "n", "NO", "no"}}[i]...)
			}
			for _, reply := range replies {
				if got, ok := Match(reply, options); !ok || got != i+1 {
					t.Errorf("Match(%q, %q) = %d, %v; want %d", reply, options, got, ok, i+1)
				}
			}
		}
	}
}

func TestConfirmation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		template, label, want string
	}{
		{"Got it: {answer}. Reply again to change.", "5 pm shuttle", "Got it: 5 pm shuttle. Reply again to change."},
		{"", "5 pm shuttle", ""},
		{"Thanks!", "Poisson", "Thanks!"},
		{"{answer} it is. ({answer})", " Poulet\nrôti ", "Poulet rôti it is. (Poulet rôti)"},
		{"Got it: {ANSWER}", "Yes", "Got it: {ANSWER}"},
	}
	for _, c := range cases {
		if got := Confirmation(c.template, c.label); got != c.want {
			t.Errorf("Confirmation(%q, %q) = %q, want %q", c.template, c.label, got, c.want)
		}
	}
}

func ExampleMatch() {
	options := []string{"5 pm shuttle", "7 pm shuttle"}
	for _, reply := range []string{"2!!", "5pm", "1 and 2", "which bus is closer?"} {
		fmt.Println(Match(reply, options))
	}
	// Output:
	// 2 true
	// 1 true
	// 0 false
	// 0 false
}

func ExampleBody() {
	fmt.Println(Body("Which shuttle are you taking?", []string{"5 pm shuttle", "7 pm shuttle"}))
	// Output:
	// Which shuttle are you taking?
	// 1) 5 pm shuttle
	// 2) 7 pm shuttle
	// Reply 1 or 2
}
