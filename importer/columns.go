package importer

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"smsbot/broadcast"
)

// columns says what each column of a file holds.
type columns struct {
	header  []string // as written; col1… when the file has none
	keys    []string // snake_case merge-field names
	phone   int      // -1: none found
	name    int      // full name, -1: none
	first   int      // -1: none
	last    int      // -1: none
	consent int      // -1: no consent column (everyone consented)
}

var (
	phoneNames   = set("phone", "phonenumber", "phoneno", "mobile", "mobilenumber", "mobilephone", "cell", "cellphone", "cellnumber", "number", "tel", "telephone", "telefon", "telefono", "whatsapp", "whatsappnumber", "sms", "smsnumber", "contactnumber")
	nameNames    = set("name", "fullname", "contactname", "attendee", "attendeename", "participant")
	firstNames   = set("firstname", "first", "givenname", "forename", "vorname", "prenom")
	lastNames    = set("lastname", "last", "surname", "familyname", "nachname", "nom")
	consentNames = set("consent", "optin", "optedin", "confirmed", "smsok", "smsconsent", "textok", "oktotext")
)

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// squash lowercases a header, strips accents and drops everything but
// letters and digits: "Phone Number", "phone_number" and "PHONE-NUMBER"
// are all "phonenumber", "Téléphone" is "telephone".
func squash(h string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(h)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// known reports whether a squashed header names a column the importer
// looks for.
func known(s string) bool {
	return phoneNames[s] || nameNames[s] || firstNames[s] || lastNames[s] || isConsent(s) ||
		strings.Contains(s, "phone") || strings.Contains(s, "mobile") || strings.Contains(s, "whatsapp")
}

// Key turns a column header into its merge-field name: lowercase words
// joined by underscores ("T-Shirt Size" is t_shirt_size).
func Key(h string) string { return broadcast.FieldKey(h) }

// isHeader reports whether a first record names columns rather than holds
// a contact: no cell of it is a phone number, and some cell is a column
// name the importer knows (phone, name, consent…) or no cell has a digit.
// (A first row of data whose number has no digit at all is taken for
// names; the report's Columns line shows it.)
func isHeader(rec []string, region string) bool {
	named, digits := false, false
	for _, cell := range rec {
		if _, reason := broadcast.CheckPhone(cell, region); reason == "" {
			return false
		}
		named = named || known(squash(cell))
		digits = digits || strings.IndexFunc(cell, unicode.IsDigit) >= 0
	}
	return named || !digits
}

// newColumns reads the roles of columns from a header (nil: no header, n
// columns).
func newColumns(header []string, n int) *columns {
	c := &columns{phone: -1, name: -1, first: -1, last: -1, consent: -1}
	if header == nil {
		for i := range n {
			header = append(header, "col"+strconv.Itoa(i+1))
		}
	}
	c.header = header
	for i, h := range header {
		k := Key(h)
		if k == "" {
			k = "col" + strconv.Itoa(i+1)
		}
		c.keys = append(c.keys, k)
		s := squash(h)
		switch {
		case c.phone < 0 && (phoneNames[s] || strings.Contains(s, "phone") || strings.Contains(s, "mobile") || strings.Contains(s, "whatsapp")):
			c.phone = i
		case c.name < 0 && nameNames[s]:
			c.name = i
		case c.first < 0 && firstNames[s]:
			c.first = i
		case c.last < 0 && lastNames[s]:
			c.last = i
		case c.consent < 0 && isConsent(s):
			c.consent = i
		}
	}
	return c
}

// guessPhone picks, when no header names the phone column, the column
// where most sample rows hold a phone number (at least half of them).
func (c *columns) guessPhone(sample [][]string, region string) {
	if c.phone >= 0 || len(sample) == 0 {
		return
	}
	best, bestN := -1, 0
	for i := range c.header {
		if i == c.name || i == c.first || i == c.last || i == c.consent {
			continue
		}
		n := 0
		for _, rec := range sample {
			if i < len(rec) {
				if _, reason := broadcast.CheckPhone(rec[i], region); reason == "" {
					n++
				}
			}
		}
		if n > bestN {
			best, bestN = i, n
		}
	}
	if 2*bestN >= len(sample) {
		c.phone = best
	}
}

// truthy reads a consent cell: 1, yes, y, true, x, ✓ and the like.
func truthy(v string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	switch v {
	case "1", "yes", "y", "true", "x", "✓", "✔", "☑", "on", "ok", "agree", "checked", "oui", "ja", "sí", "si":
		return true
	}
	return strings.HasPrefix(v, "yes") || strings.HasPrefix(v, "i agree")
}

// isConsent reports whether a squashed header names a consent column:
// consent, opt_in, sms_ok…, or a form's question like "I agree to receive
// SMS updates".
func isConsent(s string) bool {
	return consentNames[s] || strings.Contains(s, "consent") || strings.Contains(s, "optin") ||
		strings.Contains(s, "agree") && (strings.Contains(s, "sms") || strings.Contains(s, "text"))
}
