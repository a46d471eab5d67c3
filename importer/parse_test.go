package importer_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"smsbot/importer"
)

// Tests of how a file is read, against a fake store.

func TestKey(t *testing.T) {
	tests := []struct{ header, want string }{
		{"T-Shirt Size", "t_shirt_size"},
		{"Which workshop?", "which_workshop"},
		{"Email Address", "email_address"},
		{"Order #", "order"},
		{"first_name", "first_name"},
		{"  E-mail  ", "e_mail"},
		{"Q1: Size (EU)", "q1_size_eu"},
		{"Prénom", "prénom"},
		{"ÉCOLE", "école"},
		{"#", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := importer.Key(tt.header); got != tt.want {
			t.Errorf("Key(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestImportNormalizesPhones(t *testing.T) {
	tests := []struct {
		raw, region string
		want        string // E.164, or the reason the row is invalid
	}{
		{"(206) 555-0100", "", "+12065550100"},
		{"206-555-0100", "", "+12065550100"},
		{"206.555.0100", "", "+12065550100"},
		{"206 555 0100", "", "+12065550100"},
		{"2065550100", "", "+12065550100"},
		{"12065550100", "", "+12065550100"},
		{"1-206-555-0100", "", "+12065550100"},
		{"1 (206) 555-0100", "", "+12065550100"},
		{"+1 206 555 0100", "", "+12065550100"},
		{"+1 (206) 555-0100", "", "+12065550100"},
		{"+1-206-555-0100", "", "+12065550100"},
		{"001 206 555 0100", "", "+12065550100"},
		{"206.555.0100 x12", "", "+12065550100"},
		{"(206) 555-0100 ext. 7", "", "+12065550100"},
		{"206-555-0100 #12", "", "+12065550100"},
		{"+44 7400 123456", "", "+447400123456"},
		{"0044 7400 123456", "", "+447400123456"},
		{"07400 123456", "GB", "+447400123456"},
		{"06 12 34 56 78", "FR", "+33612345678"},
		{"06 12 34 56 78", "fr", "+33612345678"},
		{"+33 (0)6 12 34 56 78", "", "+33612345678"},
		{"0151 23456789", "DE", "+4915123456789"},
		{"(206) 555-0100", "FR", "too long"},
		{"555-0100", "", "too short: add the area code"},
		{"123-456-7890", "", "not a valid number for US"},
		{"06 12 34 56 78", "", "not a valid number for US"},
		{"12345", "", "too short"},
		{"+1 206 555 01", "", "too short"},
		{"+1 206 555 0100 0100 0100", "", "too long"},
		{"+999 123", "", "unknown country code"},
		{"call me", "", "not a number"},
		{"n/a", "", "not a number"},
		{"-", "", "not a number"},
		{"", "", "no phone number"},
	}
	for _, tt := range tests {
		t.Run(tt.region+" "+tt.raw, func(t *testing.T) {
			// Another column is not empty, so that the row is not blank.
			data := fmt.Sprintf("name,phone\nAna,%q\n", tt.raw)
			rep, rows, err := fakeImport(t, data, importer.Config{Region: tt.region})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case strings.HasPrefix(tt.want, "+"):
				if rep.Imported != 1 || len(rows) != 1 || rows[0].Phone != tt.want || rows[0].Raw != tt.raw {
					t.Errorf("got %+v, rows %+v; want %s imported", rep, rows, tt.want)
				}
			default:
				want := []importer.Problem{{Line: 2, Raw: tt.raw, Reason: tt.want}}
				if rep.Invalid != 1 || !slices.Equal(rep.Problems, want) {
					t.Errorf("got %+v; want problems %+v", rep, want)
				}
			}
		})
	}
}

// TestImportPhoneColumnByName gives every file a first column of phone
// numbers that is not the contact's: the header must say which is.
func TestImportPhoneColumnByName(t *testing.T) {
	headers := []string{
		"phone",
		"Phone",
		"Phone Number",
		"phone_number",
		"Mobile",
		"Mobile phone number",
		"mobile_number",
		"Cell",
		"Cell Phone",
		"Number",
		"Tel",
		"Telephone",
		"WhatsApp",
		"WhatsApp number",
		"SMS",
		"Contact number",
		"Telefon",
		"Téléphone",
		// Accents are stripped before the header is looked up ("telefono").
		"Teléfono",
		"TELÉFONO",
		"Tele\u0301fono", // decomposed: e and a combining acute accent
	}
	for _, header := range headers {
		t.Run(header, func(t *testing.T) {
			data := fmt.Sprintf("Emergency contact,Name,%s\n(206) 555-0199,Ana Lima,(206) 555-0110\n(206) 555-0199,Ben Okafor,(206) 555-0111\n", header)
			rep, rows, err := fakeImport(t, data, importer.Config{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.PhoneColumn != header || len(rows) != 2 || rows[0].Phone != "+12065550110" || rows[1].Phone != "+12065550111" {
				t.Errorf("PhoneColumn = %q, rows %+v; want %q", rep.PhoneColumn, rows, header)
			}
			if want := []string{"emergency_contact"}; !slices.Equal(rep.Fields, want) {
				t.Errorf("Fields = %q, want %q", rep.Fields, want)
			}
		})
	}
}

func TestImportPhoneColumnByContent(t *testing.T) {
	tests := []struct {
		name, data string
		want       string // the phone column; "" when there is none
	}{
		{"header without a phone name", "Who,Contact,Team\nAna,(206) 555-0110,Blue\nBen,206-555-0111,Red\n", "Contact"},
		{"half the rows are numbers", "Who,Contact\nAna,(206) 555-0110\nBen,ask Ana\n", "Contact"},
		{"no header", "Ana,(206) 555-0110,Blue\nBen,206-555-0111,Red\n", "col2"},
		{"the most numbers win", "a,b,c\n2065550110,x,2065550120\nno,x,2065550121\n", "c"},
		{"too few numbers", "Who,Contact\nAna,(206) 555-0110\nBen,ask Ana\nCy,later\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, _, err := fakeImport(t, tt.data, importer.Config{})
			if tt.want == "" {
				if err == nil {
					t.Fatalf("Import = %+v, want an error", rep)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rep.PhoneColumn != tt.want {
				t.Errorf("PhoneColumn = %q, want %q", rep.PhoneColumn, tt.want)
			}
		})
	}
}

func TestImportNameColumns(t *testing.T) {
	tests := []struct {
		header, row string
		columns     []string
		name        string
	}{
		{header: "Name,Phone", row: "Ana Lima,2065550110", columns: []string{"Name"}, name: "Ana Lima"},
		{header: "Full name,Phone", row: "Ana Lima,2065550110", columns: []string{"Full name"}, name: "Ana Lima"},
		{header: "Attendee name,Phone", row: "Ana Lima,2065550110", columns: []string{"Attendee name"}, name: "Ana Lima"},
		{header: "first_name,last_name,phone", row: "Ana,Lima,2065550110", columns: []string{"first_name", "last_name"}, name: "Ana Lima"},
		{header: "Last Name,First Name,Phone", row: "Lima,Ana,2065550110", columns: []string{"First Name", "Last Name"}, name: "Ana Lima"},
		{header: "Given name,Surname,Phone", row: "Ana,Lima,2065550110", columns: []string{"Given name", "Surname"}, name: "Ana Lima"},
		{header: "First,Phone", row: "Ana,2065550110", columns: []string{"First"}, name: "Ana"},
		{header: "Vorname,Nachname,Telefon", row: "Jürgen,Groß,2065550110", columns: []string{"Vorname", "Nachname"}, name: "Jürgen Groß"},
		// A full name wins over first and last names.
		{header: "Name,First name,Last name,Phone", row: "Ana L.,Ana,Lima,2065550110", columns: []string{"Name", "First name", "Last name"}, name: "Ana L."},
		{header: "Name,First name,Last name,Phone", row: ",Ana,Lima,2065550110", columns: []string{"Name", "First name", "Last name"}, name: "Ana Lima"},
		{header: "Email,Phone", row: "ana@example.org,2065550110", name: ""},
		// Accents are stripped before the header is looked up ("prenom").
		{header: "Prénom,Nom,Téléphone", row: "Ana,Lima,2065550110", columns: []string{"Prénom", "Nom"}, name: "Ana Lima"},
		{header: "Nom,PRÉNOM,Téléphone", row: "Lima,Ana,2065550110", columns: []string{"PRÉNOM", "Nom"}, name: "Ana Lima"},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			rep, rows, err := fakeImport(t, tt.header+"\n"+tt.row+"\n", importer.Config{})
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 {
				t.Fatalf("rows = %+v, want 1", rows)
			}
			if !slices.Equal(rep.NameColumns, tt.columns) || rows[0].Name != tt.name {
				t.Errorf("NameColumns = %q, name %q; want %q, %q", rep.NameColumns, rows[0].Name, tt.columns, tt.name)
			}
		})
	}
}

func TestImportConsentValues(t *testing.T) {
	tests := []struct {
		value   string
		consent bool
	}{
		{"1", true}, {"yes", true}, {"Yes", true}, {"YES", true}, {" yes ", true}, {"y", true}, {"Y", true},
		{"true", true}, {"TRUE", true}, {"x", true}, {"X", true}, {"✓", true}, {"✔", true},
		{"Yes, text me", true}, {"I agree", true},
		{"", false}, {"0", false}, {"no", false}, {"No", false}, {"n", false}, {"false", false},
		{"maybe", false}, {"-", false}, {"not yet", false},
	}
	var b strings.Builder
	b.WriteString("name,phone,SMS OK\n")
	for i, tt := range tests {
		fmt.Fprintf(&b, "Contact %d,+1206555%04d,%q\n", i, 1000+i, tt.value)
	}
	rep, rows, err := fakeImport(t, b.String(), importer.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ConsentColumn != "SMS OK" {
		t.Errorf("ConsentColumn = %q, want %q", rep.ConsentColumn, "SMS OK")
	}
	imported := map[string]bool{}
	for _, r := range rows {
		imported[r.Phone] = true
		if _, ok := r.Fields["sms_ok"]; ok {
			t.Errorf("the consent column is kept as a field: %v", r.Fields)
		}
	}
	noConsent := 0
	for i, tt := range tests {
		phone := fmt.Sprintf("+1206555%04d", 1000+i)
		if imported[phone] != tt.consent {
			t.Errorf("consent %q: imported = %v, want %v", tt.value, imported[phone], tt.consent)
		}
		if !tt.consent {
			noConsent++
		}
	}
	if rep.NoConsent != noConsent {
		t.Errorf("NoConsent = %d, want %d", rep.NoConsent, noConsent)
	}
}

func TestImportConsentColumnNames(t *testing.T) {
	for _, header := range []string{"consent", "Consent", "opt_in", "Opt-in", "opted_in", "Opted In", "confirmed", "sms_ok", "SMS consent", "I agree to receive SMS updates (consent)"} {
		t.Run(header, func(t *testing.T) {
			data := fmt.Sprintf("name,phone,%q\nAna,2065550110,yes\nBen,2065550111,no\nCy,2065550112,\n", header)
			rep, rows, err := fakeImport(t, data, importer.Config{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.ConsentColumn != header || rep.Imported != 1 || rep.NoConsent != 2 || len(rows) != 1 || rows[0].Name != "Ana" {
				t.Errorf("got %+v, rows %+v; want Ana alone imported", rep, rows)
			}
		})
	}
	t.Run("no consent column", func(t *testing.T) {
		rep, _, err := fakeImport(t, "name,phone,newsletter\nAna,2065550110,yes\nBen,2065550111,no\n", importer.Config{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.ConsentColumn != "" || rep.Imported != 2 || rep.NoConsent != 0 {
			t.Errorf("got %+v; want both imported", rep)
		}
	})
}

func TestImportDelimiters(t *testing.T) {
	tests := []struct {
		name  string
		data  string
		delim rune
	}{
		{"comma", "Name,Phone,Team\n\"Lima, Ana\",(206) 555-0110,Blue\nBen;Okafor,206-555-0111,Red\n", ','},
		{"semicolon", "Name;Phone;Team\n\"Lima; Ana\";(206) 555-0110;Blue, Green\nBen, Okafor;206-555-0111;Red\n", ';'},
		{"tab", "Name\tPhone\tTeam\nLima, Ana\t(206) 555-0110\tBlue; Green\nBen Okafor\t206-555-0111\tRed\n", '\t'},
		{"pipe", "Name|Phone|Team\nLima, Ana|(206) 555-0110|Blue\nBen Okafor|206-555-0111|Red\n", '|'},
		{"CRLF", "Name,Phone,Team\r\nLima Ana,(206) 555-0110,Blue\r\nBen Okafor,206-555-0111,Red\r\n", ','},
		{"no final newline", "Name;Phone;Team\nLima Ana;(206) 555-0110;Blue\nBen Okafor;206-555-0111;Red", ';'},
		{"BOM", "\ufeffName;Phone;Team\nLima Ana;(206) 555-0110;Blue\nBen Okafor;206-555-0111;Red\n", ';'},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, rows, err := fakeImport(t, tt.data, importer.Config{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Delimiter != tt.delim || !rep.Header || rep.PhoneColumn != "Phone" {
				t.Errorf("Delimiter %q, Header %v, PhoneColumn %q; want %q, true, Phone", rep.Delimiter, rep.Header, rep.PhoneColumn, tt.delim)
			}
			if len(rows) != 2 || rows[0].Phone != "+12065550110" || rows[1].Phone != "+12065550111" {
				t.Fatalf("rows = %+v", rows)
			}
			if rows[0].Fields["team"] == "" || !strings.HasPrefix(rows[0].Name, "Lima") {
				t.Errorf("row = %+v", rows[0])
			}
		})
	}
}

func TestImportLineNumbers(t *testing.T) {
	data := "name,phone,notes\n" + // 1
		"\n" + // 2: empty lines are not rows
		"Ana,2065550110,\"two\nlines\"\n" + // 3-4
		"   \n" + // 5: nor are lines of blanks
		",,\n" + // 6: nor are rows of empty cells
		"Ben,call me,\n" + // 7
		"Cy,2065550110,\n" // 8
	var out strings.Builder
	rep, _, err := fakeImport(t, data, importer.Config{Report: &out})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 3 {
		t.Errorf("Rows = %d, want 3", rep.Rows)
	}
	got := parseReport(t, []byte(out.String()))
	want := []reportRow{
		{3, "2065550110", "+12065550110", "Ana", importer.Imported, ""},
		{7, "call me", "", "Ben", importer.InvalidRow, "not a number"},
		{8, "2065550110", "+12065550110", "Cy", importer.Duplicate, "same number as an earlier row"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("report\n got %+v\nwant %+v", got, want)
	}
}

// TestImportRaggedRows: rows with too few or too many fields, and quotes
// inside unquoted fields, are read one by one.
func TestImportRaggedRows(t *testing.T) {
	data := "name,phone,email\n" +
		"Alice Moreau,(206) 555-0130,alice@example.com\n" +
		"Dan Wu\n" +
		"Erin Cole,Sales,(206) 555-0134,erin@example.com\n" +
		"Gus \"Big G\" Hall,(206) 555-0136,gus@example.com\n" +
		"Hana Ito,(206) 555-0137\n" +
		"Ivo Kral,(206) 555-0138,ivo@example.com,extra,cells\n" +
		"\"Jo \"\"JJ\"\" Park\",\"(206) 555-0139\",jo@example.com\n" +
		"Kim \"K,(206) 555-0140,kim@example.com\n"
	var out strings.Builder
	rep, rows, err := fakeImport(t, data, importer.Config{Report: &out})
	if err != nil {
		t.Fatal(err)
	}
	got := parseReport(t, []byte(out.String()))
	want := []reportRow{
		{2, "(206) 555-0130", "+12065550130", "Alice Moreau", importer.Imported, ""},
		{3, "", "", "Dan Wu", importer.InvalidRow, "no phone number"},
		{4, "Sales", "", "Erin Cole", importer.InvalidRow, "not a number"},
		{5, "(206) 555-0136", "+12065550136", `Gus "Big G" Hall`, importer.Imported, ""},
		{6, "(206) 555-0137", "+12065550137", "Hana Ito", importer.Imported, ""},
		{7, "(206) 555-0138", "+12065550138", "Ivo Kral", importer.Imported, ""},
		{8, "(206) 555-0139", "+12065550139", `Jo "JJ" Park`, importer.Imported, ""},
		{9, "(206) 555-0140", "+12065550140", `Kim "K`, importer.Imported, ""},
	}
	if !slices.Equal(got, want) {
		t.Errorf("report\n got %+v\nwant %+v", got, want)
	}
	if rep.Rows != 8 || rep.Imported != 6 || rep.Invalid != 2 {
		t.Errorf("report = %+v", rep)
	}
	if len(rows) != 6 || rows[2].Fields["email"] != "" || rows[3].Fields["email"] != "ivo@example.com" {
		t.Errorf("rows = %+v", rows)
	}
}

func TestImportProblemsCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("name,phone\n")
	for i := range 25 {
		fmt.Fprintf(&b, "Bad %d,ask %c\n", i, 'a'+i)
	}
	b.WriteString("Good,2065550110\n")
	rep, rows, err := fakeImport(t, b.String(), importer.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Invalid != 25 || rep.Imported != 1 || len(rows) != 1 || len(rep.Problems) != importer.MaxProblems {
		t.Fatalf("report = %+v", rep)
	}
	for i, p := range rep.Problems {
		if want := (importer.Problem{Line: i + 2, Raw: fmt.Sprintf("ask %c", 'a'+i), Reason: "not a number"}); p != want {
			t.Errorf("Problems[%d] = %+v, want %+v", i, p, want)
		}
	}
}
