package importer_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"smsbot/broadcast"
	"smsbot/importer"
)

// FuzzImport feeds arbitrary bytes to Import over one store per fuzzing
// process. Either the file is refused with EINVALID and nothing is written,
// or the report adds up, its CSV has one line per row and no cell a
// spreadsheet would run as a formula, and the store gained exactly the
// contacts and memberships it says.
//
// The store's state changes from one input to the next, and so does the
// coverage of the (instrumented) SQLite code: the fuzzer sees most inputs
// as new and spends its default 60 s minimizing each one, running nothing
// else meanwhile. Bound minimization:
//
//	go test -run '^$' -fuzz '^FuzzImport$' -fuzztime 30s -fuzzminimizetime 100x ./importer/
func FuzzImport(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(csvDir, "*.csv"))
	if err != nil {
		f.Fatal(err)
	}
	if len(files) == 0 {
		f.Fatalf("no CSV exports in %s", csvDir)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(pngHeader)
	ctx := context.Background()
	st := openStore(f, f.TempDir())
	tb := &testBundle{ctx: ctx, st: st}
	const list = "fuzz"
	f.Fuzz(func(t *testing.T, data []byte) {
		before := tableCounts(t, st)
		var out bytes.Buffer
		rep, err := importer.Import(ctx, st, list, "fuzz", bytes.NewReader(data), importer.Config{Report: &out})
		after := tableCounts(t, st)
		if err != nil {
			if broadcast.ErrorCode(err) != broadcast.EINVALID {
				t.Fatalf("Import error %v, want nil or EINVALID", err)
			}
			if after != before {
				t.Fatalf("a refused import (%v) changed the store from %+v to %+v", err, before, after)
			}
			return
		}
		checkReport(t, rep)
		for _, p := range rep.Problems {
			if p.Line < 1 || p.Reason == "" {
				t.Errorf("problem %+v", p)
			}
		}
		rows := parseReport(t, out.Bytes())
		if len(rows) != rep.Rows {
			t.Errorf("the CSV report has %d rows, Report.Rows = %d", len(rows), rep.Rows)
		}
		checkNoFormulas(t, rows)
		for _, r := range rows {
			if (r.Phone != "") != (r.Outcome == importer.Imported || r.Outcome == importer.Existing || r.Outcome == importer.Duplicate) {
				t.Errorf("report row %+v", r)
			}
			if r.Phone != "" && !strings.HasPrefix(r.Phone, "+") {
				t.Errorf("report row %+v: phone not in E.164", r)
			}
		}
		if got := after.Contacts - before.Contacts; got != rep.New {
			t.Errorf("%d contacts created, Report.New = %d", got, rep.New)
		}
		if got, want := after.Memberships-before.Memberships, rep.Imported-rep.OnList; got != want {
			t.Errorf("%d memberships created, want Imported-OnList = %d", got, want)
		}
		if n := tb.members(t, list); n < rep.Imported {
			t.Errorf("the list has %d members, Report.Imported = %d", n, rep.Imported)
		}
	})
}

// FuzzCheckPhone: a number CheckPhone accepts is in E.164, and is accepted
// again as itself, whatever the region.
//
//	go test -run '^$' -fuzz '^FuzzCheckPhone$' -fuzztime 30s ./importer/
func FuzzCheckPhone(f *testing.F) {
	for _, s := range []struct{ raw, region string }{
		{"(206) 555-0100", "US"}, {"206.555.0101 x12", ""}, {"1-206-555-0102", "US"},
		{"+44 7400 123456", "GB"}, {"0044 7400 123457", "US"}, {"06 12 34 56 78", "FR"},
		{"+33 (0)6 12 34 56 78", "fr"}, {"+999 123", "US"}, {"call me", "US"}, {"", "US"},
	} {
		f.Add(s.raw, s.region)
	}
	f.Fuzz(func(t *testing.T, raw, region string) {
		e164, reason := broadcast.CheckPhone(raw, region)
		if reason != "" {
			if e164 != "" {
				t.Fatalf("CheckPhone(%q, %q) = %q, %q: a number with a reason", raw, region, e164, reason)
			}
			return
		}
		if !strings.HasPrefix(e164, "+") {
			t.Fatalf("CheckPhone(%q, %q) = %q: not E.164", raw, region, e164)
		}
		for _, r := range []string{region, broadcast.DefaultRegion} {
			if again, reason := broadcast.CheckPhone(e164, r); again != e164 || reason != "" {
				t.Fatalf("CheckPhone(%q, %q) = %q; CheckPhone(%q, %q) = %q, %q", raw, region, e164, e164, r, again, reason)
			}
		}
	})
}
