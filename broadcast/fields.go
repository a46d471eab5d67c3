package broadcast

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// BuiltinFields are the merge fields every contact has, from its name and
// phone; imported columns add more.
var BuiltinFields = []string{"name", "first_name", "last_name", "phone"}

// maxKnownShown is the most known fields an unknown-field error lists.
const maxKnownShown = 12

// Fields returns the template's merge-field keys in the order they first
// appear.
func (t Template) Fields() []string {
	var out []string
	for _, p := range t.parts {
		if p.field != "" && !slices.Contains(out, p.field) {
			out = append(out, p.field)
		}
	}
	return out
}

// knownFields collects the merge fields a list's contacts have: the
// built-in ones and every imported column of any recipient, even where
// it is empty (a column in the file is a known field; an empty cell is a
// missing value).
type knownFields map[string]bool

func (k knownFields) add(c Contact) {
	for f := range c.Fields {
		k[f] = true
	}
}

// sorted is the built-in fields, then the imported ones alphabetically.
func (k knownFields) sorted() []string {
	var imported []string
	for f := range k {
		if !slices.Contains(BuiltinFields, f) {
			imported = append(imported, f)
		}
	}
	sort.Strings(imported)
	return append(slices.Clone(BuiltinFields), imported...)
}

// check returns an EINVALID error for the first field of t that no
// contact of the list has, naming it, the closest known field and the
// known ones:
//
//	unknown merge field {{frist_name}}: did you mean {{first_name}}? Known fields: name, first_name, …
func (k knownFields) check(t Template) error {
	for _, f := range t.Fields() {
		if slices.Contains(BuiltinFields, f) || k[f] {
			continue
		}
		known := k.sorted()
		msg := fmt.Sprintf("unknown merge field {{%s}}", f)
		if s := closestField(f, known); s != "" {
			msg += fmt.Sprintf(": did you mean {{%s}}?", s)
		} else {
			msg += ": no contact on the list has it."
		}
		shown := known
		if len(shown) > maxKnownShown {
			shown = append(shown[:maxKnownShown:maxKnownShown], "…")
		}
		return Errorf(EINVALID, "%s Known fields: %s", msg, strings.Join(shown, ", "))
	}
	return nil
}

// closestField is the known field nearest to f by EditDistance, if it is
// near enough to be a typo: at most 2 edits, and at most a third of the
// longer name's letters (so "foo" suggests nothing). Ties go to the
// first in known's order.
func closestField(f string, known []string) string {
	best, bestD := "", 0
	for _, k := range known {
		d := EditDistance(f, k)
		n := max(len([]rune(f)), len([]rune(k)))
		if d > 2 || d*3 > n {
			continue
		}
		if best == "" || d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// EditDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of neighbours ("frist"
// for "first") cost 1 each. It counts runes.
func EditDistance(a, b string) int {
	ar, br := []rune(a), []rune(b)
	d := make([][]int, len(ar)+1)
	for i := range d {
		d[i] = make([]int, len(br)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ar); i++ {
		for j := 1; j <= len(br); j++ {
			cost := 1
			if ar[i-1] == br[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ar[i-1] == br[j-2] && ar[i-2] == br[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ar)][len(br)]
}
