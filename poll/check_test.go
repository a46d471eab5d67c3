package poll

import (
	"fmt"
	"strings"
	"testing"
)

func TestCheckOptions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		options []string
		want    string // the whole error text; "" for none
	}{
		{shuttle, ""},
		{workshop, ""},
		{meal, ""},
		{session, ""},
		{[]string{"Yes", "No"}, ""},
		{[]string{"Pizza", "Pizza with ham"}, ""},
		{[]string{"1", "2", "3"}, "" /* each its own number */},
		{[]string{"Early", "2"}, "" /* option 2 "2" */},
		{[]string{"10", "20"}, "" /* numbers out of range */},
		{[]string{"🚌", "🚗"}, "" /* numbers answer them */},
		{[]string{"Weekend", "Weekday"}, "" /* end inside a word */},
		{nil, ""},
		{[]string{"5pm", "5 PM"},
			`options 1 and 2 read the same ("5pm" and "5 PM"): answers could not tell them apart`},
		{[]string{"Café", "Tea", "cafe"},
			`options 1 and 3 read the same ("Café" and "cafe"): answers could not tell them apart`},
		{[]string{"Yes", "YES!"},
			`options 1 and 2 read the same ("Yes" and "YES!"): answers could not tell them apart`},
		{[]string{"Bœuf", "Boeuf"},
			`options 1 and 2 read the same ("Bœuf" and "Boeuf"): answers could not tell them apart`},
		{[]string{"Tea", "Coffee", "co-ffee"},
			`options 2 and 3 read the same ("Coffee" and "co-ffee"): answers could not tell them apart`},
		{[]string{"2", "3"},
			`option 1 ("2") is option 2's number: answers could not tell them apart`},
		{[]string{"Tea", "#1"},
			`option 2 ("#1") is option 1's number: answers could not tell them apart`},
		{[]string{"Two", "One", "Three"},
			`option 1 ("Two") is option 2's number: answers could not tell them apart`},
		{[]string{"Go", "STOP"},
			`option 2 ("STOP") has the opt-out keyword STOP in it: a reply of it would read as a request to stop texts, not as an answer`},
		{[]string{"Start", "Later"},
			`option 1 ("Start") has the opt-in keyword START in it: a reply of it would read as a request to get texts again, not as an answer`},
		{[]string{"Help desk", "Info booth"}, "" /* answered by number */},
		{[]string{"Bus stop A", "Bus stop B"}, ""},
		{[]string{"Help", "Info booth"},
			`option 1 ("Help") has the help keyword HELP in it: a reply of it would read as a request for help, not as an answer`},
		{[]string{"Stay", "Opt out"},
			`option 2 ("Opt out") has the opt-out keyword OPTOUT in it: a reply of it would read as a request to stop texts, not as an answer`},
		{[]string{"Morning", "End\nof  day"}, ""},
		{[]string{"Morning", "END"},
			`option 2 ("END") has the opt-out keyword END in it: a reply of it would read as a request to stop texts, not as an answer`},
	}
	for _, c := range cases {
		err := CheckOptions(c.options)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("CheckOptions(%q) = %q, want %q", c.options, got, c.want)
		}
		if strings.Contains(got, "\n") {
			t.Errorf("CheckOptions(%q) is more than one line: %q", c.options, got)
		}
	}
}

// TestCheckOptionsMatch checks that every label CheckOptions lets through
// is read as its own option, by its number and by its label.
func TestCheckOptionsMatch(t *testing.T) {
	t.Parallel()
	polls := [][]string{
		shuttle, workshop, meal, session, {"Yes", "No"}, {"1", "2", "3"}, {"Early", "2"},
		{"Weekend", "Weekday"}, {"Y", "N"}, {"Bœuf", "Poulet"},
	}
	for _, options := range polls {
		if err := CheckOptions(options); err != nil {
			t.Fatalf("CheckOptions(%q) = %v", options, err)
		}
		for i, o := range options {
			for _, reply := range []string{fmt.Sprint(i + 1), o} {
				if got, ok := Match(reply, options); !ok || got != i+1 {
					t.Errorf("Match(%q, %q) = %d, %v; want %d", reply, options, got, ok, i+1)
				}
			}
		}
	}
}
