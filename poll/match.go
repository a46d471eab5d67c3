// Package poll reads incoming texts as answers to SMS polls and words a poll's text.
//
// It is pure: no store, no clock, no I/O. The store keeps polls and answers;
// the bot calls Body to word a poll, Match on each incoming text from a
// recipient of an open poll, and Confirmation to word the reply.
package poll

import "strings"

// MaxOptions and MinOptions bound a poll's options.
const MinOptions, MaxOptions = 2, 9

// Limits on what Match reads as an answer.
const (
	// maxTextBytes: a longer text (after trimming space) is never an answer.
	// An SMS is at most 1,600 characters; this leaves room for UCS-2.
	maxTextBytes = 4 * 1600
	// maxWords: a text with more words is never an answer.
	maxWords = 40
	// maxNoteWords: at most this many words may follow an answer ("2, see
	// you there").
	maxNoteWords = 10
	// minPrefix: the shortest leading part of a label (in letters and digits)
	// that names its option.
	minPrefix = 3
	// maxAliasLen is at least the length of the longest yes or no word.
	maxAliasLen = 16
)

// Match reads an incoming text as an answer to a poll with these options
// (labels as the organizer typed them, in order). It returns the 1-based
// option number and true for a clear answer, or 0 and false.
//
// Text is compared word by word, lowercased, without accents, punctuation,
// spaces or emoji (see words): "Café" is "cafe" and "5 PM!" is "5pm". A reply
// starts with its answer, optionally after "option", "opt", "number", "num",
// "nr", "choice" or "answer" ("Option #2"). The answer is one of:
//
//   - the option's number, in digits or as the English word one to nine:
//     "1", "1.", "#1", "1)", "One!", "2!!". A number outside 1..len(options)
//     is not an answer, and neither is "1,2" or "1 and 2";
//   - the option's label ("5 pm shuttle", "5PM Shuttle", "vegetarien" for
//     "Végétarien"), or its leading words when they are at least three
//     letters or digits and begin no other label ("5pm" for "5 pm shuttle"
//     beside "7 pm shuttle"; "pizza" is the label "Pizza" even beside
//     "Pizza with ham"). Labels are not searched inside a sentence: "I'll
//     take the 5pm" is not an answer;
//   - in a yes/no poll (see YesNo), a yes word for option 1 or a no word for
//     option 2: yes, y, ye, ya, yea, yeah, yah, yep, yup, yas, yesh, sure, ok,
//     okay, okey, absolutely, definitely, certainly, of course, for sure,
//     count me in, I'm in, I'll be there, I will be there, sounds good, yes
//     please, oui, si, ja, 👍, ✅, ✔, ☑; no, n, nope, nah, naw, nay, non,
//     nein, definitely not, absolutely not, certainly not, of course not,
//     can't make it, I can't make it, cannot make it, I cannot make it,
//     can't come, I can't come, not coming, I'm not coming, I'm out, no way,
//     no thanks, not this time, 👎, ❌, ✖, ✗. A run of three or more of a
//     letter counts once ("yesss", "nooo"), and so does a doubled last
//     letter ("yess"), but a doubled letter inside a word does not: "noon"
//     is not "non". 👍 takes any skin tone. "Yes" then "not" anywhere
//     after it ("sure, not", "yes but not on time") is unclear, and a reply
//     that starts "no problem", "no worries", "no doubt", "no question" (see
//     idioms) means yes or nothing, so it is unclear too.
//
// An answer may be followed by a short note of at most ten words ("2, see
// you there", "yes please 🙌", "5pm shuttle please") unless the note makes it
// unclear: it holds a digit or a number word ("1 and 2", "5pm or 7pm"), a
// hedge ("or", "both", "maybe", "if", "which", "not sure", "no idea", …; see
// hedges), another option's number, label or yes/no word ("yes no",
// "chicken and fish"), or the text holds a question mark ("2, is it from
// gate B?"). A question mark after a bare answer ("ok?", "1?") is fine.
//
// Never an answer: an empty text, emoji other than the thumbs and marks,
// "both", "maybe" (unless an option is labeled so), a text longer than 40
// words or 6,400 bytes, a number or label that names more than one option
// (duplicate labels, or the label "2" on option 1), any text whose first
// word is STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT,
// START, UNSTOP, HELP or INFO in any case, even when an option's label
// starts with it, and any text with an opt-out word (STOP, STOPALL,
// UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT or "opt out") anywhere
// ("No. Stop texting me", "1 STOP"), so that staff see it. YES is not among
// them: it answers a yes/no poll. CheckOptions refuses labels that Match
// could not tell apart or would never read.
//
// Match never panics, on any text (control characters, invalid UTF-8), and
// gives the same result for a text with space around it. It prepares the
// labels on every call (a few microseconds and six allocations for a 9-option
// poll; see BenchmarkMatch).
func Match(text string, options []string) (int, bool) {
	if len(options) == 0 {
		return 0, false
	}
	t := strings.TrimSpace(text)
	if len(t) > maxTextBytes {
		return 0, false
	}
	ws, more := words(t, maxWords)
	if more || ws.n() == 0 || keywords[ws.word(0)] {
		return 0, false
	}
	if optsOut(ws) {
		return 0, false
	}
	m := newMatcher(options)
	if m.yesNo && startsIdiom(ws) {
		return 0, false
	}
	question := strings.ContainsAny(t, "?？¿")
	opt, decided := m.scan(ws, 0, question)
	if !decided && ws.n() > 1 && leadIns[ws.word(0)] {
		opt, _ = m.scan(ws, 1, question)
	}
	return opt, opt != 0
}

// scan reads the words of ws from the first on as an answer followed by a
// note, trying the longest answer first. It returns the option, or 0 and decided when the text named an
// option but is unclear, or 0 and !decided when it names no option at all.
func (m *matcher) scan(ws wordList, first int, question bool) (opt int, decided bool) {
	for k := ws.n(); k > first; k-- {
		if k-first > 1 && m.tooLong(ws, first, k) {
			continue
		}
		opt, ambiguous := m.head(ws, first, k)
		if ambiguous {
			return 0, true
		}
		if opt == 0 {
			continue
		}
		if !m.noteOK(opt, ws, k, question) {
			return 0, true
		}
		return opt, true
	}
	return 0, false
}

// noteOK reports whether the words of ws from the first on, after an answer
// for opt, leave it clear.
func (m *matcher) noteOK(opt int, ws wordList, first int, question bool) bool {
	n := ws.n()
	if first == n {
		return true
	}
	if question || n-first > maxNoteWords {
		return false
	}
	for i := first; i < n; i++ {
		w := ws.word(i)
		if hasDigit(w) || numberWords[w] != 0 || hedges[w] {
			return false
		}
		if w == "not" && (opt == 1 && m.yesNo || i+1 < n && unsure[ws.word(i+1)]) {
			return false
		}
	}
	for a := first; a < n; a++ {
		for b := a + 1; b <= n && (b == a+1 || !m.tooLong(ws, a, b)); b++ {
			if o, ambiguous := m.head(ws, a, b); ambiguous || (o != 0 && o != opt) {
				return false
			}
		}
	}
	return true
}

// optsOut reports whether any word of ws, or two words together ("opt
// out"), is an opt-out keyword.
func optsOut(ws wordList) bool {
	for i := 0; i < ws.n(); i++ {
		if optOuts[ws.word(i)] || i+1 < ws.n() && ws.compact(i, i+2) == "optout" {
			return true
		}
	}
	return false
}

// startsIdiom reports whether ws starts with one of the idioms, in up to
// three words ("no problem", "No-worries", "noproblem").
func startsIdiom(ws wordList) bool {
	for k := 1; k <= 3 && k <= ws.n(); k++ {
		if idioms[ws.compact(0, k)] {
			return true
		}
	}
	return false
}
