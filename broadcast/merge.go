package broadcast

import (
	"strings"
	"unicode"
)

// Template is a message body that may hold merge fields: {{name}},
// {{first_name}}, {{phone}} or any imported column ({{t_shirt_size}},
// also written {{T-Shirt Size}}), with a default after a bar:
// {{first_name|there}}.
type Template struct {
	parts []part
}

type part struct {
	text   string // literal text, when field is ""
	field  string // merge-field key
	def    string
	hasDef bool
}

// ParseTemplate reads a body's merge fields. A "{{" without its "}}", or an
// empty field, gets an EINVALID error.
func ParseTemplate(body string) (Template, error) {
	var t Template
	rest := body
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			t.parts = append(t.parts, part{text: rest})
			return t, nil
		}
		t.parts = append(t.parts, part{text: rest[:i]})
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			return Template{}, Errorf(EINVALID, "a merge field is not closed: %q; write it like {{first_name}}", clipText(rest[i:], 20))
		}
		inner := rest[i+2 : i+j]
		name, def, hasDef := strings.Cut(inner, "|")
		key := FieldKey(name)
		if key == "" {
			return Template{}, Errorf(EINVALID, "the merge field {{%s}} has no name; write it like {{first_name|there}}", inner)
		}
		t.parts = append(t.parts, part{field: key, def: strings.TrimSpace(def), hasDef: hasDef})
		rest = rest[i+j+2:]
	}
}

// Personal reports whether the template has merge fields.
func (t Template) Personal() bool {
	for _, p := range t.parts {
		if p.field != "" {
			return true
		}
	}
	return false
}

// Render fills the template for contact c. Fields the contact lacks take
// their default; missing names the fields that had none (and render empty).
func (t Template) Render(c Contact) (body string, missing []string) {
	var b strings.Builder
	for _, p := range t.parts {
		if p.field == "" {
			b.WriteString(p.text)
			continue
		}
		v := fieldValue(c, p.field)
		if v == "" {
			v = p.def
			if !p.hasDef {
				missing = append(missing, p.field)
			}
		}
		b.WriteString(v)
	}
	return b.String(), missing
}

// fieldValue is a contact's value for a merge field.
func fieldValue(c Contact, key string) string {
	if v := strings.TrimSpace(c.Fields[key]); v != "" {
		return v
	}
	switch key {
	case "name":
		return c.Name
	case "first_name":
		first, _, _ := strings.Cut(strings.TrimSpace(c.Name), " ")
		return first
	case "last_name":
		_, last, _ := strings.Cut(strings.TrimSpace(c.Name), " ")
		return strings.TrimSpace(last)
	case "phone":
		return c.Phone
	}
	return ""
}

// FieldKey turns a column header or merge-field name into its key:
// lowercase words joined by underscores ("T-Shirt Size" is t_shirt_size).
func FieldKey(h string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			gap = false
		} else {
			gap = true
		}
	}
	return b.String()
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
