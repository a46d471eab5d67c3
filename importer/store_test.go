package importer_test

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"

	"smsbot/broadcast"
	"smsbot/importer"
)

// Tests of imports into a real store.

func TestImportAgain(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	tb.importFile(t, "workshop", "ticketing.csv", importer.Config{})
	before := tableCounts(t, tb.st)

	t.Run("same list", func(t *testing.T) {
		rep, rows := tb.importFile(t, "workshop", "ticketing.csv", importer.Config{})
		if rep.Rows != 7 || rep.Imported != 5 || rep.New != 0 || rep.Existing != 5 || rep.OnList != 5 || rep.Duplicate != 1 || rep.Invalid != 1 {
			t.Errorf("report = %+v, want all 5 already on the list", rep)
		}
		for _, r := range rows {
			if r.Phone != "" && r.Outcome != importer.Duplicate && (r.Outcome != importer.Existing || r.Reason != "already on the list") {
				t.Errorf("report row %+v, want already present", r)
			}
		}
		if got := tableCounts(t, tb.st); got.Contacts != before.Contacts || got.Memberships != before.Memberships || got.Lists != 1 {
			t.Errorf("store holds %+v, had %+v", got, before)
		}
	})
	t.Run("second list", func(t *testing.T) {
		rep, rows := tb.importFile(t, "speakers", "ticketing.csv", importer.Config{})
		if rep.Imported != 5 || rep.New != 0 || rep.Existing != 5 || rep.OnList != 0 {
			t.Errorf("report = %+v, want 5 known contacts added to the list", rep)
		}
		for _, r := range rows {
			if r.Phone != "" && r.Outcome != importer.Duplicate && (r.Outcome != importer.Existing || r.Reason != "known contact, added to the list") {
				t.Errorf("report row %+v, want a known contact added", r)
			}
		}
		if n := tb.members(t, "speakers"); n != 5 {
			t.Errorf("speakers has %d members, want 5", n)
		}
		if n := tb.members(t, "workshop"); n != 5 {
			t.Errorf("workshop has %d members, want 5", n)
		}
		if got := tableCounts(t, tb.st); got.Contacts != 5 || got.Memberships != 10 || got.Lists != 2 {
			t.Errorf("store holds %+v, want 5 contacts on 2 lists", got)
		}
	})
}

func TestImportExistingContacts(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	// Known before the import: Jamie under another name, Priya without a
	// name, Tom opted out (which creates him without a name).
	if _, err := tb.st.AddMember(tb.ctx, "board", "+12065550100", "J. Rivera", "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.st.AddMember(tb.ctx, "board", "+12065550101", "", "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.st.OptOut(tb.ctx, "+12065550102", "test"); err != nil {
		t.Fatal(err)
	}
	rep, rows := tb.importFile(t, "workshop", "ticketing.csv", importer.Config{})
	if rep.Imported != 5 || rep.New != 2 || rep.Existing != 3 || rep.OnList != 0 || rep.OptedOut != 1 {
		t.Errorf("report = %+v, want 2 new, 3 existing, 1 opted out", rep)
	}
	byLine := map[int]reportRow{}
	for _, r := range rows {
		byLine[r.Line] = r
	}
	tests := []struct {
		phone    string
		line     int
		name     string
		optedOut bool
		outcome  importer.Outcome
		reason   string
	}{
		{"+12065550100", 2, "J. Rivera", false, importer.Existing, "known contact, added to the list"},
		{"+12065550101", 4, "Priya Shah", false, importer.Existing, "known contact, added to the list"},
		{"+12065550102", 5, "Tom O'Brien", true, importer.Existing, "known contact, added to the list; opted out, stays opted out"},
		{"+12065550103", 7, "Kwame Mensah", false, importer.Imported, ""},
		{"+12065550104", 8, "", false, importer.Imported, ""},
	}
	for _, tt := range tests {
		t.Run(tt.phone, func(t *testing.T) {
			c := tb.contact(t, tt.phone)
			if c.Name != tt.name || (c.OptedOutAt != nil) != tt.optedOut {
				t.Errorf("contact = %q opted out %v, want %q opted out %v", c.Name, c.OptedOutAt != nil, tt.name, tt.optedOut)
			}
			if r := byLine[tt.line]; r.Phone != tt.phone || r.Outcome != tt.outcome || r.Reason != tt.reason {
				t.Errorf("report row %+v, want %s %q", r, tt.outcome, tt.reason)
			}
			if c.Fields["email"] == "" {
				t.Errorf("fields = %v, want the file's columns", c.Fields)
			}
		})
	}
	if n := tb.members(t, "workshop"); n != 5 {
		t.Errorf("workshop has %d members, want 5 (the opted-out contact too)", n)
	}
	if n := tb.members(t, "board"); n != 2 {
		t.Errorf("board has %d members, want 2", n)
	}
}

// TestImportKeepsFields: an existing contact's fields keep their values and
// gain the new file's other columns.
func TestImportKeepsFields(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	first := "name,phone,T-Shirt Size\nAna Lima,2065550110,M\n"
	second := "name,phone,T-Shirt Size,Team\nAna L.,2065550110,L,Blue\nBen Okafor,2065550111,S,Red\n"
	for _, data := range []string{first, second} {
		if _, _, err := tb.importBytes(t, "crew", []byte(data), importer.Config{}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		phone, name string
		fields      map[string]string
	}{
		{"+12065550110", "Ana Lima", map[string]string{"t_shirt_size": "M", "team": "Blue"}},
		{"+12065550111", "Ben Okafor", map[string]string{"t_shirt_size": "S", "team": "Red"}},
	}
	for _, tt := range tests {
		if c := tb.contact(t, tt.phone); c.Name != tt.name || !maps.Equal(c.Fields, tt.fields) {
			t.Errorf("contact %s = %q %v, want %q %v", tt.phone, c.Name, c.Fields, tt.name, tt.fields)
		}
	}
}

// TestImportBatchSizes: how rows are batched changes nothing.
func TestImportBatchSizes(t *testing.T) {
	t.Parallel()
	var want importer.Report
	var wantRows []reportRow
	for _, size := range []int{1000, 1, 2, 3} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			tb := setup(t)
			rep, rows := tb.importFile(t, "crew", "google_forms.csv", importer.Config{BatchSize: size})
			if size == 1000 {
				want, wantRows = rep, rows
				return
			}
			if fmt.Sprintf("%+v", rep) != fmt.Sprintf("%+v", want) || !slices.Equal(rows, wantRows) {
				t.Errorf("batch size %d:\n got %+v\n%+v\nwant %+v\n%+v", size, rep, rows, want, wantRows)
			}
			if n := tb.members(t, "crew"); n != want.Imported {
				t.Errorf("crew has %d members, want %d", n, want.Imported)
			}
		})
	}
}

func TestImportHeaderlessTab(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	data := "Ana Lima\t(206) 555-0110\tana.lima@example.org\tBlue\n" +
		"Ben Okafor\t206.555.0111\tben.okafor@example.org\tRed\n" +
		"Chloé Martin\t+1 206 555 0112\t\tBlue\n" +
		"Dev Patel\tcall me\tdev@example.org\tRed\n"
	rep, rows, err := tb.importBytes(t, "crew", []byte(data), importer.Config{})
	if err != nil {
		t.Fatal(err)
	}
	want := importer.Report{
		List: "crew", Rows: 4, Imported: 3, New: 3, Invalid: 1,
		Problems:  []importer.Problem{{Line: 4, Raw: "call me", Reason: "not a number"}},
		Delimiter: '\t', PhoneColumn: "col2", Fields: []string{"col1", "col3", "col4"},
	}
	if fmt.Sprintf("%+v", rep) != fmt.Sprintf("%+v", want) {
		t.Errorf("report\n got %+v\nwant %+v", rep, want)
	}
	if len(rows) != 4 || rows[0].Line != 1 || rows[0].Phone != "+12065550110" {
		t.Errorf("rows = %+v, want the first row on line 1", rows)
	}
	if c := tb.contact(t, "+12065550112"); !maps.Equal(c.Fields, map[string]string{"col1": "Chloé Martin", "col4": "Blue"}) {
		t.Errorf("fields = %v", c.Fields)
	}
}

// TestImportUTF16 reads Excel's "Unicode text": UTF-16 with a byte order
// mark, tab-separated, CRLF.
func TestImportUTF16(t *testing.T) {
	text := "Name\tMobile\tTaille\r\nLéa Bernard\t(206) 555-0110\tM\r\nJürgen Groß\t206-555-0111\tXL\r\n"
	for _, tt := range []struct {
		name  string
		order unicode.Endianness
	}{{"little endian", unicode.LittleEndian}, {"big endian", unicode.BigEndian}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tb := setup(t)
			data, err := unicode.UTF16(tt.order, unicode.UseBOM).NewEncoder().Bytes([]byte(text))
			if err != nil {
				t.Fatal(err)
			}
			rep, _, err := tb.importBytes(t, "crew", data, importer.Config{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Delimiter != '\t' || !rep.Header || rep.PhoneColumn != "Mobile" || rep.Imported != 2 {
				t.Errorf("report = %+v", rep)
			}
			for phone, name := range map[string]string{"+12065550110": "Léa Bernard", "+12065550111": "Jürgen Groß"} {
				if c := tb.contact(t, phone); c.Name != name {
					t.Errorf("contact %s name = %q, want %q", phone, c.Name, name)
				}
			}
		})
	}
}

var pngHeader = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa\x00\x00\x00\x04gAMA\x00\x00\xb1\x8f\x0b\xfca\x05")

// TestImportRefused: files that are not contact lists get an EINVALID
// error and leave the store as it was.
func TestImportRefused(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		msg  string // a part of the message
	}{
		{"empty", nil, "empty"},
		{"blank lines", []byte("\n\r\n   \n\t\n"), "empty"},
		{"BOM only", []byte("\xef\xbb\xbf"), "empty"},
		{"UTF-16 BOM only", []byte("\xff\xfe"), "empty"},
		{"PNG", pngHeader, "not a CSV file"},
		{"NUL bytes", []byte("name,phone\nAna,2065550110\x00\n"), "not a CSV file"},
		{"no phone column", []byte("name,email,team\nAna Lima,ana@example.org,Blue\nBen Okafor,ben@example.org,Red\n"), "no column of phone numbers"},
		{"numbers too rare", []byte("name,contact\nAna,(206) 555-0110\nBen,ask Ana\nCy,later\n"), "no column of phone numbers"},
		{"cells of blanks", []byte(",,,\n , , ,\n"), "no column of phone numbers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tb := setup(t)
			// Something to leave alone.
			if _, err := tb.st.AddMember(tb.ctx, "board", "+12065550100", "Jamie Rivera", "test"); err != nil {
				t.Fatal(err)
			}
			before := tableCounts(t, tb.st)
			rep, _, err := tb.importBytes(t, "crew", tt.data, importer.Config{})
			if broadcast.ErrorCode(err) != broadcast.EINVALID || !strings.Contains(broadcast.ErrorMessage(err), tt.msg) {
				t.Fatalf("Import = %+v, %v; want an EINVALID error saying %q", rep, err, tt.msg)
			}
			if after := tableCounts(t, tb.st); after != before {
				t.Errorf("store holds %+v, had %+v", after, before)
			}
			if _, err := tb.st.ListByName(tb.ctx, "crew"); broadcast.ErrorCode(err) != broadcast.ENOTFOUND {
				t.Errorf("ListByName(crew) = %v, want ENOTFOUND", err)
			}
		})
	}
}

// TestImportLargeFile reads past the first records, which decide the
// columns, and past the sniffed part of the file.
func TestImportLargeFile(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	var b bytes.Buffer
	b.WriteString("first_name;last_name;phone;opt_in;notes\n")
	const n = 3000
	for i := range n {
		consent := "yes"
		if i%10 == 9 {
			consent = "no"
		}
		fmt.Fprintf(&b, "First%d;Last%d;(206) 3%02d-%04d;%s;%s\n", i, i, i/100%100, i, consent, strings.Repeat("x", 30))
	}
	rep, rows, err := tb.importBytes(t, "crew", b.Bytes(), importer.Config{BatchSize: 256})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != n || rep.Imported != n*9/10 || rep.NoConsent != n/10 || rep.Delimiter != ';' || rep.ConsentColumn != "opt_in" {
		t.Errorf("report = %+v", rep)
	}
	if last := rows[len(rows)-1]; last.Line != n+1 || last.Outcome != importer.NoConsent {
		t.Errorf("last row = %+v", last)
	}
	if got := tb.members(t, "crew"); got != rep.Imported {
		t.Errorf("crew has %d members, want %d", got, rep.Imported)
	}
	if c := tb.contact(t, "+12063292998"); c.Name != "First2998 Last2998" {
		t.Errorf("contact = %+v", c)
	}
}
