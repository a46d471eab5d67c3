package importer_test

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"smsbot/importer"
	"smsbot/spreadsheet"
)

// fixture is a realistic export in csvDir (../testdata/csv) and everything importing it
// into an empty store must give.
type fixture struct {
	file string
	cfg  importer.Config
	// report holds the expected counts and columns; List, Problems and
	// NameColumns are checked elsewhere.
	report importer.Report
	// rows are the per-row report's lines in file order; their names are
	// checked with names.
	rows []reportRow
	// contacts are the contacts on the list afterwards (all of the store).
	contacts    []wantContact
	nameColumns []string
}

type wantContact struct {
	Phone  string
	Name   string
	Fields map[string]string
}

var fixtures = []fixture{
	{
		file: "google_forms.csv",
		report: importer.Report{
			Rows: 10, Imported: 4, New: 4, Duplicate: 1, NoConsent: 2, Invalid: 3,
			Delimiter: ',', Header: true, PhoneColumn: "Mobile phone number",
			ConsentColumn: "I agree to receive SMS updates (consent)",
			Fields:        []string{"timestamp", "email_address", "which_workshop", "t_shirt_size", "dietary_needs"},
		},
		nameColumns: []string{"Full name"},
		rows: []reportRow{
			{2, "(206) 555-0110", "+12065550110", "Ana Lima", importer.Imported, ""},
			{3, "206-555-0111", "+12065550111", "Ben Okafor", importer.Imported, ""},
			{4, "+1 206 555 0112", "", "Chloé Martin", importer.NoConsent, ""},
			{5, "2065550113", "", "Dev Patel", importer.NoConsent, ""},
			{6, "555-0114", "", "Emma Wright", importer.InvalidRow, "too short: add the area code"},
			{7, "call me", "", "Farid Haddad", importer.InvalidRow, "not a number"},
			// The dietary needs of this answer span lines 8 and 9.
			{8, "+1 (206) 555-0116", "+12065550116", "Grace Kim", importer.Imported, ""},
			{10, "(206) 555-0117", "+12065550117", "Hugo Silva", importer.Imported, ""},
			{11, "206.555.0110", "+12065550110", "Ana Lima", importer.Duplicate, "same number as an earlier row"},
			{12, "123-456-7890", "", "Ivan Petrov", importer.InvalidRow, "not a valid number for US"},
		},
		contacts: []wantContact{
			{"+12065550110", "Ana Lima", map[string]string{
				"timestamp": "2026/11/02 9:14:03 AM PST", "email_address": "ana.lima@example.org",
				"which_workshop": "Intro to Go, Saturday", "t_shirt_size": "M", "dietary_needs": "Vegetarian"}},
			{"+12065550111", "Ben Okafor", map[string]string{
				"timestamp": "2026/11/02 9:20:41 AM PST", "email_address": "ben.okafor@example.org",
				"which_workshop": "Kubernetes, hands-on, Sunday", "t_shirt_size": "L"}},
			{"+12065550116", "Grace Kim", map[string]string{
				"timestamp": "2026/11/03 9:12:40 AM PST", "email_address": "grace.kim@example.org",
				"which_workshop": "Both, if possible", "t_shirt_size": "S", "dietary_needs": "Gluten-free\nno dairy"}},
			{"+12065550117", "Hugo Silva", map[string]string{
				"timestamp": "2026/11/03 9:30:00 AM PST", "email_address": "hugo.silva@example.org",
				"which_workshop": "Kubernetes, hands-on, Sunday", "t_shirt_size": "M"}},
		},
	},
	{
		file: "ticketing.csv",
		report: importer.Report{
			Rows: 7, Imported: 5, New: 5, Duplicate: 1, Invalid: 1,
			Delimiter: ',', Header: true, PhoneColumn: "Cell Phone",
			// First and last names stay fields too: {{first_name}}.
			Fields: []string{"order", "order_date", "ticket_type", "first_name", "last_name", "email", "company", "checked_in"},
		},
		nameColumns: []string{"First Name", "Last Name"},
		rows: []reportRow{
			{2, "(206) 555-0100", "+12065550100", "Jamie Rivera", importer.Imported, ""},
			{3, "+1 206-555-0100", "+12065550100", "Sam Rivera", importer.Duplicate, "same number as an earlier row"},
			{4, "206.555.0101 x12", "+12065550101", "Priya Shah", importer.Imported, ""},
			{5, "1-206-555-0102", "+12065550102", "Tom O'Brien", importer.Imported, ""},
			{6, "", "", "Lena Fischer", importer.InvalidRow, "no phone number"},
			{7, "12065550103", "+12065550103", "Kwame Mensah", importer.Imported, ""},
			{8, "206 555 0104", "+12065550104", "", importer.Imported, ""},
		},
		contacts: []wantContact{
			{"+12065550100", "Jamie Rivera", map[string]string{
				"order": "ORD-1001", "order_date": "2026-10-14 18:22", "ticket_type": "General Admission",
				"first_name": "Jamie", "last_name": "Rivera", "email": "jamie.rivera@example.com",
				"company": "Acme Corp", "checked_in": "No"}},
			{"+12065550101", "Priya Shah", map[string]string{
				"order": "ORD-1002", "order_date": "2026-10-15 09:03", "ticket_type": "VIP",
				"first_name": "Priya", "last_name": "Shah", "email": "priya.shah@example.com", "checked_in": "Yes"}},
			{"+12065550102", "Tom O'Brien", map[string]string{
				"order": "ORD-1003", "order_date": "2026-10-15 11:47", "ticket_type": "Student",
				"first_name": "Tom", "last_name": "O'Brien", "email": "tom.obrien@example.edu",
				"company": "University of Washington", "checked_in": "No"}},
			{"+12065550103", "Kwame Mensah", map[string]string{
				"order": "ORD-1005", "order_date": "2026-10-17 08:31", "ticket_type": "Speaker",
				"first_name": "Kwame", "last_name": "Mensah", "email": "kwame@example.com",
				"company": "Mensah Labs, Inc.", "checked_in": "Yes"}},
			{"+12065550104", "", map[string]string{
				"order": "ORD-1006", "order_date": "2026-10-18 13:15", "ticket_type": "General Admission",
				"email": "guest@example.com", "checked_in": "No"}},
		},
	},
	{
		file: "excel_semicolon.csv",
		cfg:  importer.Config{Region: "FR"},
		report: importer.Report{
			Rows: 6, Imported: 4, New: 4, Duplicate: 1, Invalid: 1,
			Delimiter: ';', Header: true, PhoneColumn: "Téléphone",
			Fields: []string{"nom", "prénom", "taille", "adresse"},
		},
		nameColumns: []string{"Prénom", "Nom"},
		rows: []reportRow{
			{2, "06 12 34 56 78", "+33612345678", "Marie Dupont", importer.Imported, ""},
			{3, "07.98.76.54.32", "+33798765432", "Lucas Martin", importer.Imported, ""},
			{4, "+33 6 11 22 33 44", "+33611223344", "Léa Bernard", importer.Imported, ""},
			{5, "0612345678", "+33612345678", "Hugo Petit", importer.Duplicate, "same number as an earlier row"},
			{6, "01 23", "", "Emma Durand", importer.InvalidRow, "too short"},
			{7, "04 72 00 00 00", "+33472000000", "Chloé Leroy", importer.Imported, ""},
		},
		contacts: []wantContact{
			{"+33612345678", "Marie Dupont", map[string]string{"nom": "Dupont", "prénom": "Marie", "taille": "M", "adresse": "12 rue de la Paix; bât. B"}},
			{"+33798765432", "Lucas Martin", map[string]string{"nom": "Martin", "prénom": "Lucas", "taille": "L", "adresse": "3 place Bellecour"}},
			{"+33611223344", "Léa Bernard", map[string]string{"nom": "Bernard", "prénom": "Léa", "taille": "S"}},
			{"+33472000000", "Chloé Leroy", map[string]string{"nom": "Leroy", "prénom": "Chloé", "taille": "S", "adresse": "Mairie; service jeunesse"}},
		},
	},
	{
		file: "international.csv",
		report: importer.Report{
			Rows: 9, Imported: 6, New: 6, Invalid: 3,
			Delimiter: ',', Header: true, PhoneColumn: "phone", Fields: []string{"country"},
		},
		nameColumns: []string{"name"},
		rows: []reportRow{
			{2, "+44 7400 123456", "+447400123456", "Oliver Smith", importer.Imported, ""},
			{3, "0044 7400 123457", "+447400123457", "Amelia Jones", importer.Imported, ""},
			{4, "+49 1512 3456789", "+4915123456789", "Lukas Müller", importer.Imported, ""},
			{5, "+91 98765 43210", "+919876543210", "Aarav Sharma", importer.Imported, ""},
			{6, "+61 412 345 678", "+61412345678", "Chloe Nguyen", importer.Imported, ""},
			{7, "(206) 555-0120", "+12065550120", "Mia Johnson", importer.Imported, ""},
			{8, "+999 123", "", "Noah Brown", importer.InvalidRow, "unknown country code"},
			{9, "12345", "", "Zoe Taylor", importer.InvalidRow, "too short"},
			{10, "call me", "", "Leo Davis", importer.InvalidRow, "not a number"},
		},
		contacts: []wantContact{
			{"+447400123456", "Oliver Smith", map[string]string{"country": "United Kingdom"}},
			{"+447400123457", "Amelia Jones", map[string]string{"country": "United Kingdom"}},
			{"+4915123456789", "Lukas Müller", map[string]string{"country": "Germany"}},
			{"+919876543210", "Aarav Sharma", map[string]string{"country": "India"}},
			{"+61412345678", "Chloe Nguyen", map[string]string{"country": "Australia"}},
			{"+12065550120", "Mia Johnson", map[string]string{"country": "United States"}},
		},
	},
	{
		file: "broken_row.csv",
		report: importer.Report{
			Rows: 7, Imported: 4, New: 4, Invalid: 3,
			Delimiter: ',', Header: true, PhoneColumn: "phone", Fields: []string{"email"},
		},
		nameColumns: []string{"name"},
		rows: []reportRow{
			{2, "(206) 555-0130", "+12065550130", "Alice Moreau", importer.Imported, ""},
			// A quote inside an unquoted field is kept as it is.
			{3, "(206) 555-0136", "+12065550136", `Gus "Big G" Hall`, importer.Imported, ""},
			// The quote opening line 4 is never closed: that row alone is
			// malformed, and the rows after it must still be read.
			{4, "", "", "", importer.InvalidRow, "malformed row (unbalanced quotes?)"},
			{5, "(206) 555-0132", "+12065550132", "Carol Reyes", importer.Imported, ""},
			// Too few fields: no phone.
			{6, "", "", "Dan Wu", importer.InvalidRow, "no phone number"},
			// Too many fields: the phone column holds "Sales".
			{7, "Sales", "", "Erin Cole", importer.InvalidRow, "not a number"},
			{8, "(206) 555-0135", "+12065550135", "Finn Ross", importer.Imported, ""},
		},
		contacts: []wantContact{
			{"+12065550130", "Alice Moreau", map[string]string{"email": "alice.moreau@example.com"}},
			{"+12065550136", `Gus "Big G" Hall`, map[string]string{"email": "gus.hall@example.com"}},
			{"+12065550132", "Carol Reyes", map[string]string{"email": "carol.reyes@example.com"}},
			{"+12065550135", "Finn Ross", map[string]string{"email": "finn.ross@example.com"}},
		},
	},
	{
		file: "crew.csv",
		report: importer.Report{
			Rows: 3, Imported: 2, New: 2, Invalid: 1,
			Delimiter: ',', Header: true, PhoneColumn: "Mobile", Fields: []string{"team"},
		},
		nameColumns: []string{"Full name"},
		rows: []reportRow{
			{2, "(206) 555-0100", "+12065550100", "Ada Lovelace", importer.Imported, ""},
			{3, "206.555.0101", "+12065550101", "Grace Hopper", importer.Imported, ""},
			{4, "555", "", "Bad", importer.InvalidRow, "too short"},
		},
		contacts: []wantContact{
			{"+12065550100", "Ada Lovelace", map[string]string{"team": "red"}},
			{"+12065550101", "Grace Hopper", map[string]string{"team": "blue"}},
		},
	},
}

func TestImportFixtures(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(strings.TrimSuffix(fx.file, ".csv"), func(t *testing.T) {
			t.Parallel()
			tb := setup(t)
			const list = "attendees"
			rep, rows := tb.importFile(t, list, fx.file, fx.cfg)
			t.Run("report", func(t *testing.T) {
				got := rep
				got.Problems, got.NameColumns = nil, nil
				want := fx.report
				want.List = list
				if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
					t.Errorf("report\n got %+v\nwant %+v", got, want)
				}
			})
			t.Run("problems", func(t *testing.T) {
				var want []importer.Problem
				for _, r := range fx.rows {
					if r.Outcome == importer.InvalidRow {
						want = append(want, importer.Problem{Line: r.Line, Raw: r.Raw, Reason: r.Reason})
					}
				}
				if !slices.Equal(rep.Problems, want) {
					t.Errorf("Problems\n got %+v\nwant %+v", rep.Problems, want)
				}
			})
			t.Run("rows", func(t *testing.T) {
				if len(rows) != len(fx.rows) {
					t.Errorf("the CSV report has %d rows, want %d", len(rows), len(fx.rows))
				}
				for i := range min(len(rows), len(fx.rows)) {
					got, want := rows[i], fx.rows[i]
					got.Name, want.Name = "", ""
					// "+1 206 555 0100" would be a formula: the report
					// writes it as text.
					want.Raw = spreadsheet.Cell(want.Raw)
					if got != want {
						t.Errorf("report row %d\n got %+v\nwant %+v", i, got, want)
					}
				}
			})
			t.Run("contacts", func(t *testing.T) {
				if n := tb.members(t, list); n != len(fx.contacts) {
					t.Errorf("list %q has %d members, want %d", list, n, len(fx.contacts))
				}
				if c := tableCounts(t, tb.st); c.Contacts != len(fx.contacts) || c.Lists != 1 {
					t.Errorf("store holds %+v, want %d contacts on 1 list", c, len(fx.contacts))
				}
				for _, want := range fx.contacts {
					c := tb.contact(t, want.Phone)
					if !maps.Equal(c.Fields, want.Fields) {
						t.Errorf("contact %s fields\n got %q\nwant %q", want.Phone, c.Fields, want.Fields)
					}
					if c.OptedOutAt != nil {
						t.Errorf("contact %s is opted out", want.Phone)
					}
				}
			})
			t.Run("names", func(t *testing.T) {
				if !slices.Equal(rep.NameColumns, fx.nameColumns) {
					t.Errorf("NameColumns = %q, want %q", rep.NameColumns, fx.nameColumns)
				}
				for i := range min(len(rows), len(fx.rows)) {
					if rows[i].Name != fx.rows[i].Name {
						t.Errorf("line %d: report name = %q, want %q", rows[i].Line, rows[i].Name, fx.rows[i].Name)
					}
				}
				for _, want := range fx.contacts {
					if c := tb.contact(t, want.Phone); c.Name != want.Name {
						t.Errorf("contact %s name = %q, want %q", want.Phone, c.Name, want.Name)
					}
				}
			})
		})
	}
}

// TestEveryExportIsAFixture keeps fixtures and csvDir in step: an export
// added there without its expected results would be checked by nothing
// but the fuzzer's seeds.
func TestEveryExportIsAFixture(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(csvDir, "*.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, f := range files {
		got = append(got, filepath.Base(f))
	}
	for _, fx := range fixtures {
		want = append(want, fx.file)
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("%s holds %q; fixtures describe %q", csvDir, got, want)
	}
}
