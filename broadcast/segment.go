package broadcast

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Encoding is the character set a message is sent in.
type Encoding string

const (
	// GSM7 is the GSM 03.38 (3GPP TS 23.038) 7-bit default alphabet,
	// including its extension table.
	GSM7 Encoding = "GSM-7"
	// UCS2 is 16-bit Unicode, counted in UTF-16 code units, used as soon as
	// a body holds one character that GSM-7 cannot carry.
	UCS2 Encoding = "UCS-2"
)

// Sizes of one SMS in septets (GSM-7) or UTF-16 code units (UCS-2). A part
// of a concatenated message loses 6 octets to its user data header.
const (
	gsm7Single = 160
	gsm7Part   = 153
	ucs2Single = 70
	ucs2Part   = 67
)

// SegmentInfo describes how a body is split into SMS segments.
type SegmentInfo struct {
	Encoding Encoding
	Segments int    // number of SMS segments (0 for an empty body)
	Units    int    // septets for GSM-7 (extension chars count 2), UTF-16 code units for UCS-2
	NonGSM   []rune // distinct characters that forced UCS-2, in order of first appearance; nil for GSM-7
}

// CountSegments reports the encoding a body would be sent in and how many
// SMS segments it takes.
//
// A body is sent as GSM-7 when every character is in the GSM 03.38 default
// alphabet or its extension table; extension characters (^ { } \ [ ~ ] | €
// and form feed) take two septets, an escape and the character. Any other
// character, including tab, backtick and a literal ESC (U+001B), switches
// the whole body to UCS-2. Invalid UTF-8 bytes count as U+FFFD, which is
// not GSM-7.
//
// One SMS carries 160 septets or 70 UTF-16 code units; a longer body is split
// into parts of 153 septets or 67 units. An escape pair or a surrogate pair
// is never split across parts, so a part may be one unit short and Segments
// can exceed ceil(Units/153) or ceil(Units/67). Units does not include that
// padding. An empty body is 0 segments of GSM-7.
//
// CountSegments allocates only when it returns a non-nil NonGSM.
func CountSegments(body string) SegmentInfo {
	gsm := packer{size: gsm7Part}
	ucs := packer{size: ucs2Part}
	var (
		nonGSM []rune
		seen   map[rune]struct{} // replaces the scan of nonGSM once it grows
	)
	for _, r := range body {
		if r >= 0x10000 {
			ucs.add(2) // surrogate pair
		} else {
			ucs.add(1)
		}
		if c := gsmSeptets(r); c > 0 {
			gsm.add(c)
			continue
		}
		switch {
		case seen != nil:
			if _, ok := seen[r]; !ok {
				seen[r] = struct{}{}
				nonGSM = append(nonGSM, r)
			}
		case slices.Contains(nonGSM, r):
		case len(nonGSM) < 32:
			nonGSM = append(nonGSM, r)
		default:
			seen = make(map[rune]struct{}, 2*len(nonGSM))
			for _, x := range nonGSM {
				seen[x] = struct{}{}
			}
			seen[r] = struct{}{}
			nonGSM = append(nonGSM, r)
		}
	}
	if nonGSM == nil {
		return SegmentInfo{Encoding: GSM7, Segments: gsm.segments(gsm7Single), Units: gsm.total}
	}
	return SegmentInfo{Encoding: UCS2, Segments: ucs.segments(ucs2Single), Units: ucs.total, NonGSM: nonGSM}
}

// String describes s for a chat reply, e.g. "2 segments, GSM-7" or
// "1 segment, UCS-2 (non-GSM: ☃ ê)". Characters that would not show, such as
// control characters and unusual spaces, are written as U+XXXX (e.g. U+0009).
func (s SegmentInfo) String() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(s.Segments))
	if s.Segments == 1 {
		b.WriteString(" segment, ")
	} else {
		b.WriteString(" segments, ")
	}
	b.WriteString(string(s.Encoding))
	if len(s.NonGSM) > 0 {
		b.WriteString(" (non-GSM:")
		for _, r := range s.NonGSM {
			b.WriteByte(' ')
			if unicode.IsPrint(r) {
				b.WriteRune(r)
			} else {
				fmt.Fprintf(&b, "%U", r)
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}

// packer counts the parts of a fixed size that indivisible items fill when
// each part is filled in order.
type packer struct {
	size  int // capacity of one part
	parts int // parts started so far
	used  int // units in the last part
	total int // units added
}

// add places an item of n units, starting a new part if it does not fit.
func (p *packer) add(n int) {
	if p.parts == 0 || p.used+n > p.size {
		p.parts++
		p.used = 0
	}
	p.used += n
	p.total += n
}

// segments is the number of SMS segments for the units added, given that a
// body of up to single units fits in one unsplit message.
func (p *packer) segments(single int) int {
	switch {
	case p.total == 0:
		return 0
	case p.total <= single:
		return 1
	default:
		return p.parts
	}
}

// gsmSeptets is the number of GSM-7 septets r takes: 1 for the basic
// alphabet, 2 for the extension table and 0 if GSM-7 cannot carry r.
func gsmSeptets(r rune) int {
	if r < 0x100 {
		return int(gsmLatin1[r])
	}
	switch r {
	case 'Δ', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ':
		return 1
	case '€':
		return 2
	}
	return 0
}

// gsmLatin1 is gsmSeptets for runes below U+0100: the default alphabet less
// its Greek capitals, and the extension table less €. Runes not listed,
// among them tab, ESC, '`' and DEL, are not GSM-7.
var gsmLatin1 = [0x100]uint8{
	'\n': 1, '\r': 1,
	' ': 1, '!': 1, '"': 1, '#': 1, '$': 1, '%': 1, '&': 1, '\'': 1,
	'(': 1, ')': 1, '*': 1, '+': 1, ',': 1, '-': 1, '.': 1, '/': 1,
	'0': 1, '1': 1, '2': 1, '3': 1, '4': 1, '5': 1, '6': 1, '7': 1, '8': 1, '9': 1,
	':': 1, ';': 1, '<': 1, '=': 1, '>': 1, '?': 1, '@': 1,
	'A': 1, 'B': 1, 'C': 1, 'D': 1, 'E': 1, 'F': 1, 'G': 1, 'H': 1, 'I': 1,
	'J': 1, 'K': 1, 'L': 1, 'M': 1, 'N': 1, 'O': 1, 'P': 1, 'Q': 1, 'R': 1,
	'S': 1, 'T': 1, 'U': 1, 'V': 1, 'W': 1, 'X': 1, 'Y': 1, 'Z': 1,
	'_': 1,
	'a': 1, 'b': 1, 'c': 1, 'd': 1, 'e': 1, 'f': 1, 'g': 1, 'h': 1, 'i': 1,
	'j': 1, 'k': 1, 'l': 1, 'm': 1, 'n': 1, 'o': 1, 'p': 1, 'q': 1, 'r': 1,
	's': 1, 't': 1, 'u': 1, 'v': 1, 'w': 1, 'x': 1, 'y': 1, 'z': 1,
	'¡': 1, '£': 1, '¤': 1, '¥': 1, '§': 1, '¿': 1,
	'Ä': 1, 'Å': 1, 'Æ': 1, 'Ç': 1, 'É': 1, 'Ñ': 1, 'Ö': 1, 'Ø': 1, 'Ü': 1, 'ß': 1,
	'à': 1, 'ä': 1, 'å': 1, 'æ': 1, 'è': 1, 'é': 1, 'ì': 1, 'ñ': 1, 'ò': 1,
	'ö': 1, 'ø': 1, 'ù': 1, 'ü': 1,
	// Extension table, sent as ESC followed by a code.
	'\f': 2, '^': 2, '{': 2, '}': 2, '\\': 2, '[': 2, '~': 2, ']': 2, '|': 2,
}
