// Package importer reads contact lists from the CSV exports organizers
// have (registration forms, ticketing tools, spreadsheets): it guesses the
// delimiter, the header and the phone, name and consent columns, turns
// numbers into E.164, and writes the contacts to a list in one
// transaction, with a row-by-row report.
package importer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"smsbot/broadcast"
	"smsbot/spreadsheet"
)

// Row is one contact read from a file.
type Row struct {
	Line   int    // line of the file, the header being line 1
	Raw    string // the phone number as written
	Phone  string // E.164
	Name   string
	Fields map[string]string // the other columns, by merge-field name
}

// Result is what writing a row did.
type Result struct {
	New      bool // the contact was created
	OnList   bool // the contact was on the list already
	OptedOut bool // the contact has opted out and stays so
}

// Writer writes rows within the import's transaction.
type Writer interface {
	Write(ctx context.Context, rows []Row) ([]Result, error)
}

// Store runs an import in one transaction: fn's rows are all written, or
// none are.
type Store interface {
	ImportContacts(ctx context.Context, list, actor string, fn func(Writer) error) error
}

// Outcome is what became of a row.
type Outcome string

// Row outcomes, as the report's CSV names them.
const (
	Imported   Outcome = "imported"
	Existing   Outcome = "already present"
	Duplicate  Outcome = "duplicate"
	NoConsent  Outcome = "no consent"
	InvalidRow Outcome = "invalid"
)

// Problem is a row that could not be imported.
type Problem struct {
	Line   int
	Raw    string
	Reason string
}

// MaxProblems is how many invalid rows a Report lists.
const MaxProblems = 20

// Report says what an import did.
type Report struct {
	List string
	Rows int // data rows read
	// Imported counts contacts now on the list from this file: New ones and
	// Existing ones (created before, whether or not on the list).
	Imported  int
	New       int
	Existing  int
	OnList    int // of Existing, those already on the list
	Duplicate int // rows repeating a number earlier in the file
	NoConsent int
	OptedOut  int // of Imported, contacts who opted out and stay so
	Invalid   int
	// Problems are the first MaxProblems invalid rows.
	Problems []Problem
	// Encoding is the encoding the file was read in when it was not UTF-8:
	// UTF16, or Windows1252 (which Latin-1 files are read as too).
	Encoding string
	// What the columns were taken to be.
	Delimiter     rune
	Header        bool
	PhoneColumn   string
	NameColumns   []string
	ConsentColumn string
	Fields        []string
}

// Config configures an import.
type Config struct {
	// Region reads national numbers (default US).
	Region string
	// BatchSize is how many rows are written at once (default 1000).
	BatchSize int
	// Report, when set, receives one CSV line per row: line, phone as
	// written, E.164, name, outcome, reason. Cells a spreadsheet would run
	// as a formula start with an apostrophe (see package spreadsheet).
	Report io.Writer
}

// Import reads a CSV export from r and puts its contacts on list. Rows
// with a bad number, without consent (when the file has a consent column)
// or repeating an earlier number are counted and skipped; everything else
// is written in one transaction. A file that cannot be read as a contact
// list (empty, not text, no phone column) gets an EINVALID error and
// writes nothing.
func Import(ctx context.Context, st Store, list, actor string, r io.Reader, cfg Config) (Report, error) {
	cfg.Region = cmp.Or(cfg.Region, broadcast.DefaultRegion)
	cfg.BatchSize = cmp.Or(cfg.BatchSize, 1000)
	rep := Report{List: list}
	br, enc, err := decode(r)
	if err != nil {
		return rep, err
	}
	rep.Encoding = enc
	sample, _ := br.Peek(sniffSize)
	rep.Delimiter = sniffDelimiter(sample)
	rd := &reader{recs: newRecords(br, rep.Delimiter)}

	// The first records decide the columns; they are kept and replayed.
	var head [][]string
	for len(head) < 100 {
		rec, _, err := rd.next()
		if err == io.EOF {
			break
		} else if err != nil {
			return rep, err
		}
		head = append(head, rec)
	}
	if len(head) == 0 {
		return rep, broadcast.Errorf(broadcast.EINVALID, "the file is empty")
	}
	var cols *columns
	if rep.Header = isHeader(head[0], cfg.Region); rep.Header {
		cols = newColumns(head[0], 0)
		head = head[1:]
	} else {
		cols = newColumns(nil, len(head[0]))
	}
	cols.guessPhone(head, cfg.Region)
	if cols.phone < 0 {
		names := cols.header[:min(len(cols.header), 10)]
		more := ""
		if len(cols.header) > len(names) {
			more = fmt.Sprintf(" and %d more", len(cols.header)-len(names))
		}
		return rep, broadcast.Errorf(broadcast.EINVALID, "no column of phone numbers found: name it phone, mobile or cell (columns: %s%s)", strings.Join(names, ", "), more)
	}
	cols.describe(&rep)

	imp := &importer{cfg: cfg, cols: cols, rep: &rep, seen: map[string]bool{}}
	if cfg.Report != nil {
		imp.out = spreadsheet.NewWriter(cfg.Report)
		imp.out.Write([]string{"line", "phone_as_written", "phone", "name", "outcome", "reason"})
	}
	firstLine := 1
	if rep.Header {
		firstLine = 2
	}
	// Reading and checking numbers (the slow part) runs a batch ahead of
	// the writer, on its own goroutine.
	headLines := append([]int(nil), rd.lines...)
	items, stop := classifyAhead(rd, cols, cfg.Region)
	defer stop()
	err = st.ImportContacts(ctx, list, actor, func(w Writer) error {
		imp.w = w
		for i, rec := range head {
			if err := imp.add(ctx, classify(cols, cfg.Region, rec, headLines[firstLine-1+i])); err != nil {
				return err
			}
		}
		for chunk := range items {
			if chunk.err != nil {
				return chunk.err
			}
			for _, it := range chunk.items {
				if err := imp.add(ctx, it); err != nil {
					return err
				}
			}
		}
		if err := imp.flush(ctx); err != nil {
			return err
		}
		if rep.Rows == 0 {
			return broadcast.Errorf(broadcast.EINVALID, "the file has column names but no contacts")
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("import into %q: %w", list, err)
	}
	if imp.out != nil {
		imp.out.Flush()
		if err := imp.out.Error(); err != nil {
			return rep, fmt.Errorf("write import report: %w", err)
		}
	}
	return rep, nil
}

// reader reads records and remembers the line each starts on, for the
// first records (which are read before the columns are known).
type reader struct {
	recs  *records
	lines []int
}

// next returns the next record and its line. A malformed record is
// returned as an empty record, so it is reported as invalid.
func (r *reader) next() ([]string, int, error) {
	rec, line, err := r.recs.next()
	switch {
	case errors.Is(err, errMalformed):
		rec = []string{}
	case err == io.EOF:
		return nil, 0, err
	case err != nil:
		return nil, 0, fmt.Errorf("read CSV: %w", err)
	}
	if len(r.lines) < 101 {
		r.lines = append(r.lines, line)
	}
	return rec, line, nil
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// describe records in the report what the columns were taken to be.
func (c *columns) describe(rep *Report) {
	rep.PhoneColumn = c.header[c.phone]
	for _, i := range []int{c.name, c.first, c.last} {
		if i >= 0 {
			rep.NameColumns = append(rep.NameColumns, c.header[i])
		}
	}
	if c.consent >= 0 {
		rep.ConsentColumn = c.header[c.consent]
	}
	for i, k := range c.keys {
		if c.isField(i) {
			rep.Fields = append(rep.Fields, k)
		}
	}
}

// isField reports whether column i is kept as a merge field.
func (c *columns) isField(i int) bool {
	return i != c.phone && i != c.name && i != c.consent
}

// chunk is a run of classified records, or the error that ended reading.
type chunk struct {
	items []item
	err   error
}

// classifyAhead reads and classifies the remaining records on a goroutine.
// stop ends it early (when the writer fails).
func classifyAhead(rd *reader, cols *columns, region string) (<-chan chunk, func()) {
	out := make(chan chunk, 4)
	quit := make(chan struct{})
	go func() {
		defer close(out)
		send := func(c chunk) bool {
			select {
			case out <- c:
				return true
			case <-quit:
				return false
			}
		}
		var items []item
		for {
			rec, line, err := rd.next()
			if err == io.EOF {
				break
			} else if err != nil {
				send(chunk{err: err})
				return
			}
			if items = append(items, classify(cols, region, rec, line)); len(items) == 256 {
				if !send(chunk{items: items}) {
					return
				}
				items = nil
			}
		}
		if len(items) > 0 {
			send(chunk{items: items})
		}
	}()
	var once sync.Once
	return out, func() {
		once.Do(func() { close(quit) })
		for range out { // let the goroutine end
		}
	}
}
