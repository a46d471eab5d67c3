package importer

import (
	"bufio"
	"bytes"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"

	"smsbot/broadcast"
)

// Encodings a Report names when a file was not UTF-8.
const (
	UTF16       = "UTF-16"
	Windows1252 = "Windows-1252"
	Latin1      = "Latin-1 (ISO-8859-1)"
)

// legacyName names the single-byte encoding of a sample: Windows-1252
// when it uses a byte of 0x80–0x9F (€, ’, “, Œ …: control codes in
// Latin-1, never meant in a CSV), Latin-1 otherwise. Both are decoded as
// Windows-1252, which agrees with Latin-1 on every printable character.
func legacyName(sample []byte) string {
	for _, b := range sample {
		if b >= 0x80 && b <= 0x9f {
			return Windows1252
		}
	}
	return Latin1
}

// errNotText refuses a file that holds binary data rather than text.
var errNotText = broadcast.Errorf(broadcast.EINVALID, "this is not a CSV file (it holds binary data, not text): export the sheet as CSV and try again")

// legacy reads a file that is not UTF-8 as Windows-1252, the encoding
// Excel and older tools on Windows save "CSV" in across Western Europe and
// the Americas. It is also right for ISO-8859-1 (Latin-1): the two agree
// on every printable character, and the bytes 0x80–0x9F, which are C1
// control codes in Latin-1 and never meant in a CSV, are Windows-1252's
// letters and punctuation (€, Œ, ’, “ …). sample is the start of the file
// as br would read it; a sample with control codes no text file holds
// (NUL, most of C0, the five bytes Windows-1252 leaves undefined) is
// refused as binary.
func legacy(br *bufio.Reader, sample []byte) (*bufio.Reader, error) {
	if binary(sample) {
		return nil, errNotText
	}
	return bufio.NewReaderSize(transform.NewReader(br, charmap.Windows1252.NewDecoder()), sniffSize), nil
}

// binary reports whether a sample in a single-byte encoding holds bytes
// no text file does: C0 control codes other than tab, line feed, form
// feed, carriage return and Ctrl-Z (an old end-of-file mark), and the
// bytes Windows-1252 does not define.
func binary(sample []byte) bool {
	for _, b := range sample {
		switch {
		case b == '\t', b == '\n', b == '\f', b == '\r', b == 0x1a:
		case b < 0x20, b == 0x7f:
			return true
		case b == 0x81, b == 0x8d, b == 0x8f, b == 0x90, b == 0x9d:
			return true
		}
	}
	return false
}

// hasNUL reports whether a sample of (UTF-8) text holds a NUL byte, which
// no text file does.
func hasNUL(sample []byte) bool { return bytes.IndexByte(sample, 0) >= 0 }
