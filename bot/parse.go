package bot

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"smsbot/broadcast"
)

// cut splits the first word off s and returns it and the rest, trimmed.
// The rest keeps its inner spacing and line breaks: it may be a message.
func cut(s string) (word, rest string) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// quotes are the pairs of quotes an argument may be written in.
var quotes = [][2]string{{`"`, `"`}, {`'`, `'`}, {"“", "”"}, {"‘", "’"}, {"`", "`"}, {"«", "»"}}

// cutQuoted is cut for a first word that may be quoted: a quote at its
// start that closes before white space or the end makes the quoted text,
// spaces and all, one word, returned with its quotes.
func cutQuoted(s string) (word, rest string) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	for _, q := range quotes {
		if !strings.HasPrefix(s, q[0]) {
			continue
		}
		inner := s[len(q[0]):]
		for off := 0; ; {
			i := strings.Index(inner[off:], q[1])
			if i < 0 {
				break
			}
			end := len(q[0]) + off + i + len(q[1])
			if r, _ := utf8.DecodeRuneInString(s[end:]); end == len(s) || unicode.IsSpace(r) {
				return s[:end], strings.TrimSpace(s[end:])
			}
			off += i + len(q[1])
		}
	}
	return cut(s)
}

// cutArg splits off the first argument, which may be quoted ("my crew",
// "my crew.csv"), and returns it without its quotes, and the rest.
func cutArg(s string) (arg, rest string) {
	w, rest := cutQuoted(s)
	return listName(w), rest
}

// words splits s on white space, keeping a quoted argument ("my crew")
// one word, with its quotes: listName drops them.
func words(s string) []string {
	var out []string
	for s = strings.TrimSpace(s); s != ""; {
		var w string
		w, s = cutQuoted(s)
		out = append(out, w)
	}
	return out
}

// parseID reads a broadcast ID written as 3 or #3.
func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, broadcast.Errorf(broadcast.EINVALID, "%q is not a broadcast id; ids look like #3 (see /sms status)", s)
	}
	return id, nil
}

// usage is an EINVALID error showing how a command is written.
func usage(form string) error {
	return broadcast.Errorf(broadcast.EINVALID, "usage: /sms %s", form)
}

// suggest names the known names closest to an unknown one, closest
// first: those within an edit distance of 2 (1 for names of up to 4
// letters, where 2 edits change most of the word), and those it begins.
// Case is ignored.
func suggest(name string, known []string) []string {
	type scored struct {
		name string
		d    int
	}
	name = strings.ToLower(name)
	limit := 2
	if len([]rune(name)) <= 4 {
		limit = 1
	}
	var c []scored
	for _, k := range known {
		lk := strings.ToLower(k)
		if d := broadcast.EditDistance(name, lk); d <= limit || len(name) >= 2 && strings.HasPrefix(lk, name) {
			c = append(c, scored{k, d})
		}
	}
	sort.Slice(c, func(i, j int) bool { return c[i].d < c[j].d || c[i].d == c[j].d && c[i].name < c[j].name })
	out := make([]string, len(c))
	for i, s := range c {
		out[i] = s.name
	}
	return out
}

// reservedListName is the one name no list may have: "/sms import undo
// <list>" would be read as an import into it.
const reservedListName = "undo"

// validListName checks a list name: letters, digits, - _ and . only, so it
// is one word in every command, and not undo.
func validListName(name string) error {
	if name == "" || len(name) > 64 {
		return broadcast.Errorf(broadcast.EINVALID, "a list name needs 1 to 64 characters")
	}
	if strings.EqualFold(name, reservedListName) {
		return broadcast.Errorf(broadcast.EINVALID, "a list cannot be called %s: /sms import undo <list> uses the word; choose another name", name)
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-_.", r) {
			return broadcast.Errorf(broadcast.EINVALID, "list name \"%s\" may only have letters, digits, - _ and .", name)
		}
	}
	return nil
}

// splitPhone splits "+1 (206) 555-0100 x12 Ada Lovelace" into the phone
// number, which may be written with spaces, and the rest (a name or a
// message). When the words that look like a number are more than one
// number ("+12065550001 5 minutes away"), the longest start of them that is
// a valid number in region is the phone.
func splitPhone(s, region string) (phone, rest string) {
	w := strings.Fields(s)
	i := 0
	for i < len(w) && phoneWord(w[i], i > 0) {
		i++
	}
	if i == 0 && len(w) > 0 {
		i = 1 // not a number at all: let the normalizer say why
	}
	for j := i; j >= 1; j-- {
		if _, reason := broadcast.CheckPhone(strings.Join(w[:j], " "), region); reason == "" {
			i = j
			break
		}
	}
	return strings.Join(w[:i], " "), strings.Join(w[i:], " ")
}

// phoneWord reports whether w can be part of a written phone number;
// extensions ("x12", "ext 12") only follow digits.
func phoneWord(w string, after bool) bool {
	lw := strings.ToLower(w)
	if after {
		for _, ext := range []string{"ext.", "ext", "x"} {
			if strings.HasPrefix(lw, ext) {
				rest := lw[len(ext):]
				return rest == "" && ext != "x" || rest != "" && strings.Trim(rest, "0123456789") == ""
			}
		}
		if strings.Trim(lw, "0123456789") == "" {
			return true
		}
	}
	digits := false
	for _, r := range w {
		switch {
		case r >= '0' && r <= '9':
			digits = true
		case strings.ContainsRune("+().-/", r):
		default:
			return false
		}
	}
	return digits || w == "+"
}

// quoteArg writes an argument with white space in quotes, so a command
// shown in an answer can be typed as it is.
func quoteArg(s string) string {
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return `"` + s + `"`
	}
	return s
}
