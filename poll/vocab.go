package poll

// The vocabulary Match knows. Every entry is in the form words and compact
// produce (lowercase, no accents, no spaces or punctuation). Yes and no
// words are looked up with yesNoWord, which also finds "yesss" and "nooo".

// numberWords are the option numbers written out.
var numberWords = map[string]int{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
	"six": 6, "seven": 7, "eight": 8, "nine": 9,
}

// yesWords answer option 1 of a yes/no poll: one word, or a short phrase
// written as one compact string ("of course" is "ofcourse").
var yesWords = set(
	"yes", "y", "ye", "ya", "yea", "yeah", "yah", "yep", "yup", "yas", "yesh",
	"sure", "ok", "okay", "okey", "absolutely", "definitely", "certainly",
	"ofcourse", "forsure", "countmein", "imin", "illbethere", "iwillbethere",
	"soundsgood", "yesplease", "oui", "si", "ja", thumbsUp,
)

// noWords answer option 2 of a yes/no poll, like yesWords.
var noWords = set(
	"no", "n", "nope", "nah", "naw", "nay", "non", "nein",
	"definitelynot", "absolutelynot", "certainlynot", "ofcoursenot",
	"cantmakeit", "icantmakeit", "cannotmakeit", "icannotmakeit",
	"cantcome", "icantcome", "notcoming", "imnotcoming", "imout", "noway",
	"nothanks", "notthistime", thumbsDown,
)

// keywords are the carrier's and the bot's control words (STOP, START, HELP
// and their synonyms, as inbound.ParseKeyword and Twilio know them, without
// YES). A reply whose first word is one of them is never an answer.
var keywords = set(
	"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke",
	"optout", "start", "unstop", "help", "info",
)

// optOuts are the keywords that ask to stop texts. Anywhere in a reply
// ("No. Stop texting me", "1 STOP") they make it unclear, so staff see it.
// "opt out" in two words counts too.
var optOuts = set(
	"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke",
	"optout",
)

// idioms start with a no word but mean yes or nothing ("no problem", "no
// worries"): a yes/no reply that starts with one is unclear.
var idioms = set(
	"noproblem", "noproblems", "noprob", "noprobs", "noworries", "noworry",
	"nodoubt", "noquestion", "noquestions", "nosweat", "nobiggie", "nobother",
)

// leadIns may come before the answer: "option 2", "Option #2", "number 3",
// "choice: 1", "answer 2".
var leadIns = set("option", "opt", "number", "num", "nr", "choice", "answer")

// hedges in the words after an answer make the reply unclear: "1 or 2",
// "yes if it's early", "2 maybe", "5pm, which gate?".
var hedges = set(
	"or", "either", "both", "maybe", "perhaps", "probably", "possibly",
	"might", "unless", "if", "unsure", "idk", "dunno", "idea", "depends",
	"depending", "tbd", "tbc", "which", "what", "when", "where", "how", "why",
	"who", "whether", "whichever",
)

// unsure follows "not" in a hedge: "yes, not sure yet".
var unsure = set("sure", "certain", "yet", "really")

// set builds a lookup set of its words.
func set(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// yesNoWord returns 1 when w is a yes word, 2 when it is a no word and 0
// otherwise. Long runs of a letter count once, "yesss" and "Noooo", but w
// is looked up as it is first, and a run of two only counts at its end
// ("yess"), so "noon" is not "non" (see squeeze).
func yesNoWord(w string) int {
	for keep := 0; keep <= 2; keep++ {
		s := w
		if keep > 0 {
			if s = squeeze(w, keep); s == w {
				continue
			}
		}
		switch {
		case yesWords[s]:
			return 1
		case noWords[s]:
			return 2
		}
	}
	return 0
}
