package importer_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"smsbot/broadcast"
	"smsbot/importer"
	"smsbot/store"
)

// testBundle is a real store in a fresh SQLite file.
type testBundle struct {
	ctx context.Context
	st  *store.Store
}

func setup(t testing.TB) *testBundle {
	t.Helper()
	return &testBundle{ctx: context.Background(), st: openStore(t, t.TempDir())}
}

func openStore(t testing.TB, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{Path: filepath.Join(dir, "smsbot.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	return st
}

// importBytes imports data into list and returns the report, the per-row
// CSV report and the error.
func (tb *testBundle) importBytes(t testing.TB, list string, data []byte, cfg importer.Config) (importer.Report, []reportRow, error) {
	t.Helper()
	var out bytes.Buffer
	cfg.Report = &out
	rep, err := importer.Import(tb.ctx, tb.st, list, "test", bytes.NewReader(data), cfg)
	if err != nil {
		if out.Len() > 0 {
			t.Errorf("a failed import wrote a report: %q", out.String())
		}
		return rep, nil, err
	}
	checkReport(t, rep)
	rows := parseReport(t, out.Bytes())
	if len(rows) != rep.Rows {
		t.Errorf("the CSV report has %d rows, Report.Rows = %d", len(rows), rep.Rows)
	}
	return rep, rows, nil
}

// csvDir holds the real-world CSV exports that several packages' tests
// share.
var csvDir = filepath.Join("..", "testdata", "csv")

// importFile imports the export csvDir/name, which must succeed.
func (tb *testBundle) importFile(t testing.TB, list, name string, cfg importer.Config) (importer.Report, []reportRow) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(csvDir, name))
	if err != nil {
		t.Fatal(err)
	}
	rep, rows, err := tb.importBytes(t, list, data, cfg)
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return rep, rows
}

// reportRow is one data line of the per-row CSV report.
type reportRow struct {
	Line    int
	Raw     string // phone as written
	Phone   string
	Name    string
	Outcome importer.Outcome
	Reason  string
}

var reportHeader = []string{"line", "phone_as_written", "phone", "name", "outcome", "reason"}

// parseReport reads a per-row CSV report and returns its rows, which must
// be in file order.
func parseReport(t testing.TB, data []byte) []reportRow {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV report does not parse: %v\n%s", err, data)
	}
	if len(recs) == 0 || !slices.Equal(recs[0], reportHeader) {
		t.Fatalf("the CSV report's header is not %q:\n%s", reportHeader, data)
	}
	var rows []reportRow
	for _, r := range recs[1:] {
		if len(r) != len(reportHeader) {
			t.Fatalf("report line %q has %d fields, want %d", r, len(r), len(reportHeader))
		}
		line, err := strconv.Atoi(r[0])
		if err != nil {
			t.Fatalf("report line %q: bad line number: %v", r, err)
		}
		rows = append(rows, reportRow{line, r[1], r[2], r[3], importer.Outcome(r[4]), r[5]})
	}
	if !slices.IsSortedFunc(rows, func(a, b reportRow) int { return a.Line - b.Line }) {
		t.Errorf("the CSV report is not in file order:\n%s", data)
	}
	return rows
}

// checkReport checks that a report's counts add up.
func checkReport(t testing.TB, rep importer.Report) {
	t.Helper()
	if sum := rep.Imported + rep.Duplicate + rep.NoConsent + rep.Invalid; rep.Rows != sum {
		t.Errorf("Rows = %d, want Imported+Duplicate+NoConsent+Invalid = %d (%+v)", rep.Rows, sum, rep)
	}
	if rep.Imported != rep.New+rep.Existing {
		t.Errorf("Imported = %d, want New+Existing = %d", rep.Imported, rep.New+rep.Existing)
	}
	if rep.OnList > rep.Existing || rep.OptedOut > rep.Imported {
		t.Errorf("OnList = %d (Existing %d), OptedOut = %d (Imported %d)", rep.OnList, rep.Existing, rep.OptedOut, rep.Imported)
	}
	if want := min(rep.Invalid, importer.MaxProblems); len(rep.Problems) != want {
		t.Errorf("len(Problems) = %d, want %d", len(rep.Problems), want)
	}
}

// counts is how many rows the tables an import writes hold.
type counts struct{ Contacts, Lists, Memberships, Audit int }

func tableCounts(t testing.TB, st *store.Store) counts {
	t.Helper()
	var c counts
	for _, q := range []struct {
		table string
		n     *int
	}{{"contacts", &c.Contacts}, {"lists", &c.Lists}, {"memberships", &c.Memberships}, {"audit_log", &c.Audit}} {
		if err := st.DB().NewRaw("SELECT COUNT(*) FROM "+q.table).Scan(context.Background(), q.n); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// members returns the number of contacts on list.
func (tb *testBundle) members(t testing.TB, list string) int {
	t.Helper()
	l, err := tb.st.ListByName(tb.ctx, list)
	if err != nil {
		t.Fatal(err)
	}
	return l.Members
}

func (tb *testBundle) contact(t testing.TB, phone string) broadcast.Contact {
	t.Helper()
	c, err := tb.st.Contact(tb.ctx, phone)
	if err != nil {
		t.Fatalf("contact %s: %v", phone, err)
	}
	return c
}

// fakeStore is an importer.Store without a database, for tests of how a
// file is read: it records the rows written, and every contact is new.
type fakeStore struct{ rows []importer.Row }

func (f *fakeStore) ImportContacts(ctx context.Context, list, actor string, fn func(importer.Writer) error) error {
	return fn(f)
}

func (f *fakeStore) Write(ctx context.Context, rows []importer.Row) ([]importer.Result, error) {
	f.rows = append(f.rows, rows...)
	out := make([]importer.Result, len(rows))
	for i := range out {
		out[i].New = true
	}
	return out, nil
}

// fakeImport imports data into a fakeStore.
func fakeImport(t testing.TB, data string, cfg importer.Config) (importer.Report, []importer.Row, error) {
	t.Helper()
	var f fakeStore
	if cfg.Report == nil {
		cfg.Report = io.Discard
	}
	rep, err := importer.Import(context.Background(), &f, "list", "test", bytes.NewReader([]byte(data)), cfg)
	if err == nil {
		checkReport(t, rep)
	}
	return rep, f.rows, err
}
