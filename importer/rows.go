package importer

import (
	"context"
	"strconv"
	"strings"

	"smsbot/broadcast"
	"smsbot/spreadsheet"
)

// importer turns records into rows and writes them in batches.
type importer struct {
	cfg   Config
	cols  *columns
	rep   *Report
	w     Writer
	out   *spreadsheet.Writer
	seen  map[string]bool // E.164 numbers met so far
	batch []Row
	// lines are the report lines since the last flush, in file order; an
	// imported row's line is written once its outcome is known.
	lines []reportLine
	at    []int // index in lines of each batched row
}

type reportLine struct {
	row     Row
	outcome Outcome
	reason  string
}

// item is a record read and judged, before it meets the others.
type item struct {
	skip   bool // a blank line, not a row
	row    Row
	kind   Outcome // Imported (to write), NoConsent or InvalidRow
	reason string
}

// classify turns a record into a row: its number normalized, its name and
// fields read, its consent checked. It changes nothing, so records can be
// classified ahead of the writer, on another goroutine.
func classify(c *columns, region string, rec []string, line int) item {
	if blank(rec) && len(rec) > 0 {
		return item{skip: true} // empty lines between rows are not rows
	}
	cell := func(i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	row := Row{Line: line, Raw: cell(c.phone), Name: cell(c.name)}
	if row.Name == "" {
		row.Name = strings.TrimSpace(cell(c.first) + " " + cell(c.last))
	}
	switch {
	case len(rec) == 0:
		return item{row: row, kind: InvalidRow, reason: "malformed row (unbalanced quotes?)"}
	case c.consent >= 0 && !truthy(cell(c.consent)):
		return item{row: row, kind: NoConsent}
	}
	e164, reason := broadcast.CheckPhone(row.Raw, region)
	if reason != "" {
		if reason == "empty" {
			reason = "no phone number"
		}
		return item{row: row, kind: InvalidRow, reason: reason}
	}
	row.Phone = e164
	for i, k := range c.keys {
		if v := cell(i); v != "" && c.isField(i) {
			if row.Fields == nil {
				row.Fields = map[string]string{}
			}
			row.Fields[k] = v
		}
	}
	return item{row: row, kind: Imported}
}

// add takes a classified record: it counts it, drops repeated numbers, and
// queues the rest for writing.
func (imp *importer) add(ctx context.Context, it item) error {
	if it.skip {
		return nil
	}
	rep := imp.rep
	rep.Rows++
	switch it.kind {
	case InvalidRow:
		imp.problem(it.row, it.reason)
		return nil
	case NoConsent:
		rep.NoConsent++
		imp.log(it.row, NoConsent, "")
		return nil
	}
	if imp.seen[it.row.Phone] {
		rep.Duplicate++
		imp.log(it.row, Duplicate, "same number as an earlier row")
		return nil
	}
	imp.seen[it.row.Phone] = true
	imp.batch = append(imp.batch, it.row)
	imp.at = append(imp.at, len(imp.lines))
	imp.lines = append(imp.lines, reportLine{})
	if len(imp.batch) >= imp.cfg.BatchSize || len(imp.lines) >= 4*imp.cfg.BatchSize {
		return imp.flush(ctx)
	}
	return nil
}

// flush writes the queued rows, then the report lines.
func (imp *importer) flush(ctx context.Context) error {
	var results []Result
	if len(imp.batch) > 0 {
		var err error
		if results, err = imp.w.Write(ctx, imp.batch); err != nil {
			return err
		}
	}
	rep := imp.rep
	for i, res := range results {
		rep.Imported++
		outcome, note := Imported, ""
		switch {
		case res.New:
			rep.New++
		case res.OnList:
			rep.Existing++
			rep.OnList++
			outcome, note = Existing, "already on the list"
		default:
			rep.Existing++
			outcome, note = Existing, "known contact, added to the list"
		}
		if res.OptedOut {
			rep.OptedOut++
			note = strings.TrimPrefix(note+"; opted out, stays opted out", "; ")
		}
		imp.lines[imp.at[i]] = reportLine{row: imp.batch[i], outcome: outcome, reason: note}
	}
	if imp.out != nil {
		for _, l := range imp.lines {
			r := l.row
			imp.out.Write([]string{strconv.Itoa(r.Line), r.Raw, r.Phone, r.Name, string(l.outcome), l.reason})
		}
	}
	imp.batch, imp.lines, imp.at = imp.batch[:0], imp.lines[:0], imp.at[:0]
	return nil
}

func (imp *importer) problem(row Row, reason string) {
	rep := imp.rep
	rep.Invalid++
	if len(rep.Problems) < MaxProblems {
		rep.Problems = append(rep.Problems, Problem{Line: row.Line, Raw: row.Raw, Reason: reason})
	}
	imp.log(row, InvalidRow, reason)
}

func (imp *importer) log(row Row, o Outcome, reason string) {
	imp.lines = append(imp.lines, reportLine{row: row, outcome: o, reason: reason})
}
