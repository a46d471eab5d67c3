package importer

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// maxRecordLines is how many physical lines one quoted field may span
// before its opening quote is taken as a typo.
const maxRecordLines = 50

// records reads CSV records one at a time, and survives broken ones. The
// standard reader, given a quote that is never closed, reads the whole rest
// of the file into one field; records instead gathers a record's physical
// lines itself, and when a quote stays open for maxRecordLines lines or to
// the end of the file, it reports the first line as malformed and goes on
// with the next.
type records struct {
	in      *bufio.Reader
	comma   rune
	line    int      // physical lines consumed
	pending []string // lines read ahead, not yet consumed
	eof     bool
}

func newRecords(in *bufio.Reader, comma rune) *records {
	return &records{in: in, comma: comma}
}

// errMalformed marks a record whose quotes could not be balanced.
var errMalformed = errors.New("malformed row")

// next returns the next non-empty record and the line it starts on. A
// malformed record is returned as nil with errMalformed.
func (r *records) next() ([]string, int, error) {
	for {
		first, ok, err := r.readLine()
		if err != nil || !ok {
			return nil, 0, cmpErr(err, io.EOF)
		}
		start := r.line
		if strings.TrimSpace(first) == "" {
			continue
		}
		if !strings.ContainsRune(first, '"') {
			return strings.Split(first, string(r.comma)), start, nil // the common case
		}
		lines := []string{first}
		for openQuote(strings.Join(lines, "\n"), r.comma) {
			if len(lines) == maxRecordLines {
				r.unread(lines[1:])
				return nil, start, errMalformed
			}
			more, ok, err := r.readLine()
			if err != nil {
				return nil, 0, err
			}
			if !ok {
				r.unread(lines[1:])
				return nil, start, errMalformed
			}
			lines = append(lines, more)
		}
		cr := csv.NewReader(strings.NewReader(strings.Join(lines, "\n")))
		cr.Comma, cr.LazyQuotes, cr.FieldsPerRecord = r.comma, true, -1
		rec, err := cr.Read()
		if err != nil {
			r.unread(lines[1:])
			return nil, start, errMalformed
		}
		return rec, start, nil
	}
}

// readLine returns the next physical line without its line ending.
func (r *records) readLine() (string, bool, error) {
	if len(r.pending) > 0 {
		l := r.pending[0]
		r.pending = r.pending[1:]
		r.line++
		return l, true, nil
	}
	if r.eof {
		return "", false, nil
	}
	s, err := r.in.ReadString('\n')
	if err == io.EOF {
		r.eof = true
		if s == "" {
			return "", false, nil
		}
	} else if err != nil {
		return "", false, err
	}
	r.line++
	return strings.TrimRight(s, "\r\n"), true, nil
}

// unread gives back lines read ahead of a malformed record's first.
func (r *records) unread(lines []string) {
	r.pending = append(append([]string(nil), lines...), r.pending...)
	r.line -= len(lines)
}

// openQuote reports whether text ends inside a quoted field. A quote only
// opens a field at its start; inside, "" is a quote and " closes it.
// Quotes in the middle of unquoted fields (5'11") are plain text.
func openQuote(text string, comma rune) bool {
	in, fieldStart := false, true
	// Bytes will do: quotes, delimiters and line breaks are ASCII, and no
	// byte of a multi-byte character is.
	for i := 0; i < len(text); i++ {
		c := rune(text[i])
		switch {
		case in && c == '"' && i+1 < len(text) && text[i+1] == '"':
			i++ // an escaped quote
		case in && c == '"':
			in = false
		case !in && c == '"' && fieldStart:
			in = true
		}
		fieldStart = !in && (c == comma || c == '\n')
	}
	return in
}

func cmpErr(err, def error) error {
	if err != nil {
		return err
	}
	return def
}
