package broadcast

import (
	"slices"
	"testing"
)

func TestTemplate(t *testing.T) {
	ada := Contact{Phone: "+12065550100", Name: "Ada Lovelace", Fields: map[string]string{"t_shirt_size": "M", "room": " "}}
	anon := Contact{Phone: "+12065550101"}
	tests := []struct {
		body     string
		c        Contact
		want     string
		missing  []string
		personal bool
	}{
		{"Dinner is served", ada, "Dinner is served", nil, false},
		{"Hi {{first_name}}!", ada, "Hi Ada!", nil, true},
		{"Hi {{ first_name | there }}!", anon, "Hi there!", nil, true},
		{"Hi {{first_name|}}!", anon, "Hi !", nil, true},
		{"{{name}}, your size {{T-Shirt Size}} is ready", ada, "Ada Lovelace, your size M is ready", nil, true},
		{"{{last_name}} / {{phone}}", ada, "Lovelace / +12065550100", nil, true},
		{"Room {{room}}", ada, "Room ", []string{"room"}, true},
		{"Hi {{first_name}}, {{team}}", anon, "Hi , ", []string{"first_name", "team"}, true},
		{"braces { } and }} alone", ada, "braces { } and }} alone", nil, false},
	}
	for _, tt := range tests {
		tmpl, err := ParseTemplate(tt.body)
		if err != nil {
			t.Fatalf("ParseTemplate(%q): %v", tt.body, err)
		}
		got, missing := tmpl.Render(tt.c)
		if got != tt.want || !slices.Equal(missing, tt.missing) || tmpl.Personal() != tt.personal {
			t.Errorf("%q for %s = %q, missing %v, personal %v; want %q, %v, %v", tt.body, tt.c.Name, got, missing, tmpl.Personal(), tt.want, tt.missing, tt.personal)
		}
	}
}

func TestTemplateErrors(t *testing.T) {
	for _, body := range []string{"Hi {{first_name", "Hi {{}}", "Hi {{ | there}}", "{{name}} and {{"} {
		if _, err := ParseTemplate(body); ErrorCode(err) != EINVALID {
			t.Errorf("ParseTemplate(%q) = %v, want EINVALID", body, err)
		}
	}
}

func TestFieldKey(t *testing.T) {
	for in, want := range map[string]string{"T-Shirt Size": "t_shirt_size", " first_name ": "first_name", "Email Address": "email_address", "Prénom": "prénom", "Order #": "order", "#": ""} {
		if got := FieldKey(in); got != want {
			t.Errorf("FieldKey(%q) = %q, want %q", in, got, want)
		}
	}
}
