package poll

import (
	"strconv"
	"strings"
	"testing"
)

// fuzzPolls are the polls FuzzMatch answers, picked by its second argument.
var fuzzPolls = [][]string{shuttle, workshop, meal, session, {"2", "3"}, {"Same", "Same"}}

// FuzzMatch checks that Match never panics, returns an option of the poll or
// nothing, and reads a text the same with space around it. Seeds are in
// testdata/fuzz/FuzzMatch.
func FuzzMatch(f *testing.F) {
	f.Add("2!!", byte(0))
	f.Add("yes 🙌", byte(1))
	f.Fuzz(func(t *testing.T, text string, poll byte) {
		options := fuzzPolls[int(poll)%len(fuzzPolls)]
		n, ok := Match(text, options)
		if n < 0 || n > len(options) || ok != (n != 0) {
			t.Fatalf("Match(%q, %q) = %d, %v", text, options, n, ok)
		}
		for _, padded := range []string{" " + text, text + "\n", "\t " + text + " \r\n"} {
			if m, mok := Match(padded, options); m != n || mok != ok {
				t.Fatalf("Match(%q, %q) = %d, %v but Match(%q) = %d, %v", text, options, n, ok, padded, m, mok)
			}
		}
	})
}

// FuzzCheckOptions checks that CheckOptions never panics, words its error
// on one line, and lets through only options whose numbers answer them.
func FuzzCheckOptions(f *testing.F) {
	f.Add("5pm", "5 PM", "")
	f.Add("2", "Bus stop B", "Bœuf")
	f.Add("Yes", "No", "")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		options := []string{a, b}
		if c != "" {
			options = append(options, c)
		}
		err := CheckOptions(options)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("CheckOptions(%q) = %q, more than one line", options, err)
			}
			return
		}
		for i := range options {
			if n, ok := Match(strconv.Itoa(i+1), options); !ok || n != i+1 {
				t.Fatalf("CheckOptions(%q) = nil but Match(%d) = %d, %v", options, i+1, n, ok)
			}
		}
	})
}
