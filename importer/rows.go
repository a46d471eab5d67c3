package importer

import (
	"context"
	"encoding/csv"
	"strconv"
	"strings"

	"smsbot/broadcast"
)

// importer turns records into rows and writes them in batches.
type importer struct {
	cfg   Config
	cols  *columns
	rep   *Report
	w     Writer
	out   *csv.Writer
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

// add classifies one record and queues it for writing.
func (imp *importer) add(ctx context.Context, rec []string, line int) error {
	if blank(rec) && len(rec) > 0 {
		return nil // empty lines between rows are not rows
	}
	c, rep := imp.cols, imp.rep
	rep.Rows++
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
	if len(rec) == 0 {
		imp.problem(row, "malformed row (unbalanced quotes?)")
		return nil
	}
	if c.consent >= 0 && !truthy(cell(c.consent)) {
		rep.NoConsent++
		imp.log(row, NoConsent, "")
		return nil
	}
	e164, reason := broadcast.CheckPhone(row.Raw, imp.cfg.Region)
	if reason != "" {
		if reason == "empty" {
			reason = "no phone number"
		}
		imp.problem(row, reason)
		return nil
	}
	row.Phone = e164
	if imp.seen[e164] {
		rep.Duplicate++
		imp.log(row, Duplicate, "same number as an earlier row")
		return nil
	}
	imp.seen[e164] = true
	for i, k := range c.keys {
		if v := cell(i); v != "" && c.isField(i) {
			if row.Fields == nil {
				row.Fields = map[string]string{}
			}
			row.Fields[k] = v
		}
	}
	imp.batch = append(imp.batch, row)
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
