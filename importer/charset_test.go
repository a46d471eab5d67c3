package importer_test

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"smsbot/broadcast"
	"smsbot/importer"
)

// The exports in a single-byte encoding: Excel's "CSV" on Windows
// (Windows-1252, with €, curly quotes and Œ in 0x80–0x9F) and a Latin-1
// (ISO-8859-1) file. Both are read as Windows-1252, and each report names
// its own.
func init() {
	fixtures = append(fixtures, fixture{
		file: "windows1252.csv",
		report: importer.Report{
			Rows: 4, Imported: 3, New: 3, Invalid: 1, Encoding: importer.Windows1252,
			Delimiter: ',', Header: true, PhoneColumn: "Mobile", Fields: []string{"ticket", "note"},
		},
		nameColumns: []string{"Name"},
		rows: []reportRow{
			{2, "(206) 555-0140", "+12065550140", "Zoë Ångström", importer.Imported, ""},
			{3, "206-555-0141", "+12065550141", "Jürgen Müller", importer.Imported, ""},
			{4, "+1 206 555 0142", "+12065550142", "François O’Neil", importer.Imported, ""},
			{5, "555-0143", "", "Søren Ærø", importer.InvalidRow, "too short: add the area code"},
		},
		contacts: []wantContact{
			{"+12065550140", "Zoë Ångström", map[string]string{"ticket": "€25 early bird", "note": "“front row”"}},
			{"+12065550141", "Jürgen Müller", map[string]string{"ticket": "€40"}},
			{"+12065550142", "François O’Neil", map[string]string{"ticket": "€0 – volunteer", "note": "Œuvre team"}},
		},
	}, fixture{
		file: "latin1.csv",
		cfg:  importer.Config{Region: "FR"},
		report: importer.Report{
			Rows: 4, Imported: 3, New: 3, Invalid: 1, Encoding: importer.Latin1,
			Delimiter: ';', Header: true, PhoneColumn: "Téléphone", Fields: []string{"prénom", "nom", "ville"},
		},
		nameColumns: []string{"Prénom", "Nom"},
		rows: []reportRow{
			{2, "06 12 34 56 80", "+33612345680", "Zoë Lefèvre", importer.Imported, ""},
			{3, "07 98 76 54 40", "+33798765440", "Hélène Müller", importer.Imported, ""},
			{4, "+33 6 11 22 33 50", "+33611223350", "François Garçon", importer.Imported, ""},
			{5, "01 23", "", "Iñigo Straße", importer.InvalidRow, "too short"},
		},
		contacts: []wantContact{
			{"+33612345680", "Zoë Lefèvre", map[string]string{"prénom": "Zoë", "nom": "Lefèvre", "ville": "Besançon"}},
			{"+33798765440", "Hélène Müller", map[string]string{"prénom": "Hélène", "nom": "Müller", "ville": "Zürich"}},
			{"+33611223350", "François Garçon", map[string]string{"prénom": "François", "nom": "Garçon", "ville": "«Saint-Étienne»"}},
		},
	})
}

// TestImportWindows1252Large reads a Windows-1252 file past the sniffed
// part: the accents after it are decoded too.
func TestImportWindows1252Large(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	var b strings.Builder
	b.WriteString("Prénom,Téléphone,Prix\n")
	const n = 3000
	for i := range n {
		fmt.Fprintf(&b, "Zoë Ångström %d,(206) 3%02d-%04d,€%d\n", i, i/100%100, i, i)
	}
	data, err := charmap.Windows1252.NewEncoder().Bytes([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(data) <= 64<<10 {
		t.Fatalf("the file is %d bytes: too small to go past the sniffed part", len(data))
	}
	rep, _, err := tb.importBytes(t, "crew", data, importer.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != n || rep.Imported != n || rep.Encoding != importer.Windows1252 || rep.PhoneColumn != "Téléphone" {
		t.Errorf("report = %+v", rep)
	}
	c := tb.contact(t, "+12063292999")
	if c.Name != "Zoë Ångström 2999" || c.Fields["prix"] != "€2999" {
		t.Errorf("contact = %+v", c)
	}
}

// TestImportEncodingNamed: a UTF-8 file names no encoding; UTF-16,
// Windows-1252 and Latin-1 ones do.
func TestImportEncodingNamed(t *testing.T) {
	text := "Name,Mobile\nZoë Ångström,(206) 555-0110\n"
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	cp1252, err := charmap.Windows1252.NewEncoder().Bytes([]byte(text + "Ann O’Neil,(206) 555-0111\n"))
	if err != nil {
		t.Fatal(err)
	}
	latin1, err := charmap.ISO8859_1.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"UTF-8", []byte(text), ""},
		{"UTF-8 with a BOM", append([]byte("\xef\xbb\xbf"), text...), ""},
		{"UTF-16", utf16, importer.UTF16},
		{"Windows-1252", cp1252, importer.Windows1252},
		{"Latin-1", latin1, importer.Latin1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tb := setup(t)
			rep, _, err := tb.importBytes(t, "crew", tt.data, importer.Config{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Encoding != tt.want {
				t.Errorf("Encoding = %q, want %q", rep.Encoding, tt.want)
			}
			if c := tb.contact(t, "+12065550110"); c.Name != "Zoë Ångström" {
				t.Errorf("name = %q", c.Name)
			}
		})
	}
}

// TestImportBinaryRefused: bytes that are neither UTF-8 nor text in a
// single-byte encoding are refused in one line, and nothing is written.
func TestImportBinaryRefused(t *testing.T) {
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"PNG", pngHeader},
		{"NUL in UTF-8", []byte("name,phone\nAna,2065550110\x00\n")},
		{"NUL in Latin-1", []byte("Nom;T\xe9l\xe9phone\nL\xe9a;06 12 34 56 78\x00\n")},
		{"zip (xlsx)", []byte("PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xe9\xa5[Content_Types].xml")},
		{"C0 control codes", []byte("Nom;T\xe9l\xe9phone\nL\xe9a;06 12 34 56 78\x1b[0m\n")},
		{"undefined in Windows-1252", []byte("Nom;T\xe9l\xe9phone\nL\xe9a\x81;06 12 34 56 78\n")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tb := setup(t)
			before := tableCounts(t, tb.st)
			rep, _, err := tb.importBytes(t, "crew", tt.data, importer.Config{})
			msg := broadcast.ErrorMessage(err)
			if broadcast.ErrorCode(err) != broadcast.EINVALID || !strings.Contains(msg, "not a CSV file") || strings.Contains(msg, "\n") {
				t.Fatalf("Import = %+v, %v; want a one-line EINVALID error saying it is not a CSV file", rep, err)
			}
			if after := tableCounts(t, tb.st); after != before {
				t.Errorf("store holds %+v, had %+v", after, before)
			}
		})
	}
}
