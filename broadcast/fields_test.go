package broadcast

import (
	"slices"
	"testing"
)

func TestUnknownMergeFields(t *testing.T) {
	list := knownFields{"team": true, "t_shirt_size": true, "room": true}
	tests := []struct {
		name, body string
		known      knownFields
		want       string // "" when the template is fine
	}{
		{"built-in", "Hi {{first_name}} {{last_name}} {{name}} {{phone}}", knownFields{}, ""},
		{"imported", "Size {{T-Shirt Size}}, team {{team|none}}", list, ""},
		{"swapped letters", "Hi {{frist_name}}", list,
			"unknown merge field {{frist_name}}: did you mean {{first_name}}? Known fields: name, first_name, last_name, phone, room, t_shirt_size, team"},
		{"imported typo", "Team {{taem}}", list,
			"unknown merge field {{taem}}: did you mean {{team}}? Known fields: name, first_name, last_name, phone, room, t_shirt_size, team"},
		{"written as a header", "Size {{T-Shirt Sise}}", list,
			"unknown merge field {{t_shirt_sise}}: did you mean {{t_shirt_size}}?"},
		{"nothing close", "Hi {{foo}}", knownFields{},
			"unknown merge field {{foo}}: no contact on the list has it. Known fields: name, first_name, last_name, phone"},
		{"a default does not make it known", "Hi {{nmae|there}}", knownFields{},
			"unknown merge field {{nmae}}: did you mean {{name}}?"},
		{"first unknown named", "{{team}} {{zzz}} {{yyy}}", list, "unknown merge field {{zzz}}:"},
		{"only on another list", "Team {{team}}", knownFields{}, "unknown merge field {{team}}: no contact on the list has it."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := ParseTemplate(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			err = tt.known.check(tmpl)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("check = %v, want nil", err)
				}
				return
			}
			msg := ErrorMessage(err)
			if ErrorCode(err) != EINVALID || len(msg) < len(tt.want) || msg[:len(tt.want)] != tt.want || slices.Contains([]rune(msg), '\n') {
				t.Fatalf("check = %v, want one EINVALID line starting %q", err, tt.want)
			}
		})
	}
}

func TestUnknownFieldListsAtMostTwelve(t *testing.T) {
	k := knownFields{}
	for _, f := range []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"} {
		k[f] = true
	}
	tmpl, _ := ParseTemplate("{{zzzz}}")
	want := "unknown merge field {{zzzz}}: no contact on the list has it. Known fields: name, first_name, last_name, phone, a1, a2, a3, a4, a5, a6, a7, a8, …"
	if got := ErrorMessage(k.check(tmpl)); got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"name", "name", 0}, {"", "team", 4},
		{"frist_name", "first_name", 1}, {"taem", "team", 1}, {"nme", "name", 1},
		{"names", "name", 1}, {"nome", "name", 1}, {"foo", "phone", 4},
		{"prénom", "prenom", 1}, {"ca", "abc", 3},
		{"sned", "send", 1}, {"frends", "friends", 1}, {"members", "numbers", 2},
		{"ab", "ba", 1}, {"kitten", "sitting", 3},
	}
	for _, tt := range tests {
		if got := EditDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
