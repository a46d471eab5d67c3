package poll

import "testing"

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
