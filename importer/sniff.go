package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"smsbot/broadcast"
)

// sniffSize is how much of a file is looked at to guess its format.
const sniffSize = 64 << 10

// delimiters are the separators exports use: comma, Excel's semicolon in
// much of Europe, tab, and pipe.
var delimiters = []rune{',', ';', '\t', '|'}

// decode strips a UTF-8 byte order mark, transcodes UTF-16 (Excel's
// "Unicode text") to UTF-8, and reads a file whose start is not UTF-8 as
// Windows-1252 (see legacy). It returns the encoding read when not UTF-8
// (UTF16, Windows1252, Latin1), and refuses files that are not text.
func decode(r io.Reader) (*bufio.Reader, string, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	head, _ := br.Peek(4)
	enc := ""
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
		br = bufio.NewReaderSize(transform.NewReader(br, dec), sniffSize)
		enc = UTF16
	}
	sample, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, "", err
	}
	if len(bytes.TrimSpace(sample)) == 0 {
		return nil, "", broadcast.Errorf(broadcast.EINVALID, "the file is empty")
	}
	if hasNUL(sample) {
		return nil, "", errNotText
	}
	if len(sample) == sniffSize {
		sample = trimPartialRune(sample) // the sample may end mid-character
	}
	if !utf8.Valid(sample) && enc == "" {
		if br, err = legacy(br, sample); err != nil {
			return nil, "", err
		}
		enc = legacyName(sample)
	}
	return br, enc, nil
}

// trimPartialRune drops a rune cut in half at the end of a sample.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		if r, _ := utf8.DecodeLastRune(b); r != utf8.RuneError {
			return b
		}
		b = b[:len(b)-1]
	}
	return b
}

// sniffDelimiter picks the delimiter that splits the first lines into the
// same number (more than one) of fields most consistently; comma when
// none does.
func sniffDelimiter(sample []byte) rune {
	best, bestScore := ',', 0
	for _, d := range delimiters {
		r := csv.NewReader(bytes.NewReader(sample))
		r.Comma, r.LazyQuotes, r.FieldsPerRecord = d, true, -1
		counts := map[int]int{}
		lines := 0
		for lines < 20 {
			rec, err := r.Read()
			if err == io.EOF || err != nil && rec == nil {
				break
			}
			counts[len(rec)]++
			lines++
		}
		mode, modeN := 0, 0
		for n, c := range counts {
			if c > modeN || c == modeN && n > mode {
				mode, modeN = n, c
			}
		}
		if mode > 1 {
			if score := modeN*100 + mode; score > bestScore {
				best, bestScore = d, score
			}
		}
	}
	return best
}
