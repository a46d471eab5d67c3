package broadcast

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// gsmBasicTable is the GSM 03.38 default alphabet in code order (0x00–0x7F),
// less ESC at 0x1B. It is kept apart from the implementation's lookup table
// so that each checks the other.
const gsmBasicTable = "@£$¥èéùìòÇ\nØø\rÅå" +
	"Δ_ΦΓΛΩΠΨΣΘΞ" + "ÆæßÉ" +
	" !\"#¤%&'()*+,-./" +
	"0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNO" +
	"PQRSTUVWXYZÄÖÑÜ§" +
	"¿abcdefghijklmno" +
	"pqrstuvwxyzäöñüà"

// gsmExtensionTable is every character of the GSM 03.38 extension table; each
// is sent as ESC followed by a code.
const gsmExtensionTable = "\f^{}\\[~]|€"

func TestGSMSeptets(t *testing.T) {
	if n := utf8.RuneCountInString(gsmBasicTable); n != 127 {
		t.Fatalf("gsmBasicTable has %d characters, want 127", n)
	}
	for _, r := range gsmBasicTable {
		if got := gsmSeptets(r); got != 1 {
			t.Errorf("gsmSeptets(%q) = %d, want 1 (basic table)", r, got)
		}
	}
	for _, r := range gsmExtensionTable {
		if got := gsmSeptets(r); got != 2 {
			t.Errorf("gsmSeptets(%q) = %d, want 2 (extension table)", r, got)
		}
	}
	// Every other rune is outside GSM-7.
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if strings.ContainsRune(gsmBasicTable, r) || strings.ContainsRune(gsmExtensionTable, r) {
			continue
		}
		if got := gsmSeptets(r); got != 0 {
			t.Errorf("gsmSeptets(%U %q) = %d, want 0 (not GSM-7)", r, r, got)
		}
	}
}

func TestCountSegmentsEachCharacter(t *testing.T) {
	for _, r := range gsmBasicTable {
		want := SegmentInfo{Encoding: GSM7, Segments: 1, Units: 1}
		checkCount(t, string(r), want)
	}
	for _, r := range gsmExtensionTable {
		want := SegmentInfo{Encoding: GSM7, Segments: 1, Units: 2}
		checkCount(t, string(r), want)
	}
	checkCount(t, gsmBasicTable, SegmentInfo{Encoding: GSM7, Segments: 1, Units: 127})
	checkCount(t, gsmExtensionTable, SegmentInfo{Encoding: GSM7, Segments: 1, Units: 20})
	checkCount(t, gsmBasicTable+gsmExtensionTable, SegmentInfo{Encoding: GSM7, Segments: 1, Units: 147})
}

func TestCountSegments(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	rep := strings.Repeat
	// 40 distinct non-GSM runes, each twice, to pass the point where
	// CountSegments stops scanning its list for duplicates.
	var many strings.Builder
	var manyRunes []rune
	for r := 'Ā'; r < 'Ā'+40; r++ {
		many.WriteRune(r)
		manyRunes = append(manyRunes, r)
	}
	manyBody := many.String() + many.String()

	tests := []struct {
		name string
		body string
		want SegmentInfo
	}{
		{"empty", "", SegmentInfo{Encoding: GSM7}},
		{"one char", "a", SegmentInfo{GSM7, 1, 1, nil}},
		{"160 a", a(160), SegmentInfo{GSM7, 1, 160, nil}},
		{"161 a", a(161), SegmentInfo{GSM7, 2, 161, nil}},
		{"153*2 a", a(153 * 2), SegmentInfo{GSM7, 2, 306, nil}},
		{"153*2+1 a", a(153*2 + 1), SegmentInfo{GSM7, 3, 307, nil}},
		{"153*3 a", a(153 * 3), SegmentInfo{GSM7, 3, 459, nil}},

		// Escape pairs.
		{"form feed counts 2", "a\fb", SegmentInfo{GSM7, 1, 4, nil}},
		{"158 a + € fills one message", a(158) + "€", SegmentInfo{GSM7, 1, 160, nil}},
		{"159 a + € is two", a(159) + "€", SegmentInfo{GSM7, 2, 161, nil}},
		{"80 € is one", rep("€", 80), SegmentInfo{GSM7, 1, 160, nil}},
		{"81 €: 76 per part", rep("€", 81), SegmentInfo{GSM7, 2, 162, nil}},
		{"153 € needs a third part", rep("€", 153), SegmentInfo{GSM7, 3, 306, nil}},
		{"151 a + € fills part 1 exactly", a(151) + "€" + a(10), SegmentInfo{GSM7, 2, 163, nil}},
		{"152 a + € + 10 a: € moves to part 2", a(152) + "€" + a(10), SegmentInfo{GSM7, 2, 164, nil}},
		{"152 a + { + 10 a", a(152) + "{" + a(10), SegmentInfo{GSM7, 2, 164, nil}},
		{"152 a + € + 151 a fits 2 parts", a(152) + "€" + a(151), SegmentInfo{GSM7, 2, 305, nil}},
		{"152 a + € + 152 a spills to 3", a(152) + "€" + a(152), SegmentInfo{GSM7, 3, 306, nil}},
		{"pair at second boundary", a(153+152) + "~" + a(5), SegmentInfo{GSM7, 3, 312, nil}},

		// GSM-7 look-alikes.
		{"é stays GSM-7", "café", SegmentInfo{GSM7, 1, 4, nil}},
		{"ê forces UCS-2", "crêpe", SegmentInfo{UCS2, 1, 5, []rune{'ê'}}},
		{"lower-case ç is not GSM-7", "ça", SegmentInfo{UCS2, 1, 2, []rune{'ç'}}},
		{"Greek capitals are GSM-7", "ΔΦΓΛΩΠΨΣΘΞ", SegmentInfo{GSM7, 1, 10, nil}},
		{"Greek small letters are not", "Δα", SegmentInfo{UCS2, 1, 2, []rune{'α'}}},
		{"CRLF is GSM-7", "a\r\nb", SegmentInfo{GSM7, 1, 4, nil}},
		{"tab forces UCS-2", "a\tb", SegmentInfo{UCS2, 1, 3, []rune{'\t'}}},
		{"backtick forces UCS-2", "`x`", SegmentInfo{UCS2, 1, 3, []rune{'`'}}},
		{"literal ESC forces UCS-2", "a\x1bb", SegmentInfo{UCS2, 1, 3, []rune{0x1b}}},
		{"NUL is not @", "\x00", SegmentInfo{UCS2, 1, 1, []rune{0}}},
		{"curly quote forces UCS-2", "it’s", SegmentInfo{UCS2, 1, 4, []rune{'’'}}},
		{"extension char in UCS-2 counts 1", "€ê", SegmentInfo{UCS2, 1, 2, []rune{'ê'}}},

		// UCS-2.
		{"70 ☃", rep("☃", 70), SegmentInfo{UCS2, 1, 70, []rune{'☃'}}},
		{"71 ☃", rep("☃", 71), SegmentInfo{UCS2, 2, 71, []rune{'☃'}}},
		{"67*2 ☃", rep("☃", 67*2), SegmentInfo{UCS2, 2, 134, []rune{'☃'}}},
		{"67*2+1 ☃", rep("☃", 67*2+1), SegmentInfo{UCS2, 3, 135, []rune{'☃'}}},
		{"GSM chars count 1 unit in UCS-2", a(69) + "☃", SegmentInfo{UCS2, 1, 70, []rune{'☃'}}},

		// Surrogate pairs.
		{"emoji is 2 units", "😀", SegmentInfo{UCS2, 1, 2, []rune{'😀'}}},
		{"35 😀 is 70 units", rep("😀", 35), SegmentInfo{UCS2, 1, 70, []rune{'😀'}}},
		{"36 😀: 33 per part", rep("😀", 36), SegmentInfo{UCS2, 2, 72, []rune{'😀'}}},
		{"67 😀 needs a third part", rep("😀", 67), SegmentInfo{UCS2, 3, 134, []rune{'😀'}}},
		{"34 😀 + a", rep("😀", 34) + "a", SegmentInfo{UCS2, 1, 69, []rune{'😀'}}},
		{"a + 34 😀 + a", "a" + rep("😀", 34) + "a", SegmentInfo{UCS2, 1, 70, []rune{'😀'}}},
		{"35 😀 + a", rep("😀", 35) + "a", SegmentInfo{UCS2, 2, 71, []rune{'😀'}}},
		{"65 a + 😀 fills part 1 exactly", a(65) + "😀" + a(10), SegmentInfo{UCS2, 2, 77, []rune{'😀'}}},
		{"66 a + 😀 + 10 a: 😀 moves to part 2", a(66) + "😀" + a(10), SegmentInfo{UCS2, 2, 78, []rune{'😀'}}},
		{"66 a + 😀 + 65 a fits 2 parts", a(66) + "😀" + a(65), SegmentInfo{UCS2, 2, 133, []rune{'😀'}}},
		{"66 a + 😀 + 66 a spills to 3", a(66) + "😀" + a(66), SegmentInfo{UCS2, 3, 134, []rune{'😀'}}},
		{"66 a + 😀 within one message", a(66) + "😀", SegmentInfo{UCS2, 1, 68, []rune{'😀'}}},
		{"68 a + 😀 is 70 units", a(68) + "😀", SegmentInfo{UCS2, 1, 70, []rune{'😀'}}},
		{"69 a + 😀 is 71 units", a(69) + "😀", SegmentInfo{UCS2, 2, 71, []rune{'😀'}}},

		// NonGSM lists distinct runes in order of first appearance.
		{"distinct, first appearance", "ê☃ê😀☃a", SegmentInfo{UCS2, 1, 7, []rune{'ê', '☃', '😀'}}},
		{"many distinct", manyBody, SegmentInfo{UCS2, 2, 80, manyRunes}},

		// Invalid UTF-8.
		{"invalid byte is U+FFFD", "a\xffb", SegmentInfo{UCS2, 1, 3, []rune{utf8.RuneError}}},
		{"invalid bytes are one U+FFFD", "\xff\xfe\xc0", SegmentInfo{UCS2, 1, 3, []rune{utf8.RuneError}}},
		{"encoded surrogate is invalid", "\xed\xa0\x80", SegmentInfo{UCS2, 1, 3, []rune{utf8.RuneError}}},
		{"real U+FFFD", "�é", SegmentInfo{UCS2, 1, 2, []rune{utf8.RuneError}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkCount(t, tt.body, tt.want)
		})
	}
}

// checkCount checks CountSegments(body) against want and against
// referenceCount, which splits an encoded body the way a sender does.
func checkCount(t *testing.T, body string, want SegmentInfo) {
	t.Helper()
	got := CountSegments(body)
	if !equalInfo(got, want) {
		t.Errorf("CountSegments(%q) = %+v, want %+v", body, got, want)
	}
	if ref := referenceCount(body); !equalInfo(ref, want) {
		t.Errorf("referenceCount(%q) = %+v, want %+v", body, ref, want)
	}
}

func equalInfo(a, b SegmentInfo) bool {
	return a.Encoding == b.Encoding && a.Segments == b.Segments && a.Units == b.Units &&
		(a.NonGSM == nil) == (b.NonGSM == nil) && slices.Equal(a.NonGSM, b.NonGSM)
}

// referenceCount is a slow, independent model of CountSegments: it encodes
// the body into septets or UTF-16 code units, then cuts that stream into
// parts, moving a trailing ESC or high surrogate into the next part.
func referenceCount(body string) SegmentInfo {
	const esc = 0x1b
	var septets []byte
	var nonGSM []rune
	seen := make(map[rune]bool)
	for _, r := range body {
		switch {
		case strings.ContainsRune(gsmBasicTable, r):
			septets = append(septets, 'b')
		case strings.ContainsRune(gsmExtensionTable, r):
			septets = append(septets, esc, 'x')
		case !seen[r]:
			seen[r] = true
			nonGSM = append(nonGSM, r)
		}
	}
	if nonGSM == nil {
		return SegmentInfo{
			Encoding: GSM7,
			Segments: cutParts(septets, 160, 153, func(c byte) bool { return c == esc }),
			Units:    len(septets),
		}
	}
	units := utf16.Encode([]rune(body))
	return SegmentInfo{
		Encoding: UCS2,
		Segments: cutParts(units, 70, 67, func(u uint16) bool { return 0xd800 <= u && u < 0xdc00 }),
		Units:    len(units),
		NonGSM:   nonGSM,
	}
}

// cutParts counts the parts a stream is sent in. A part never ends with a
// unit for which leads is true, since it belongs with the unit after it.
func cutParts[T any](s []T, single, part int, leads func(T) bool) int {
	switch {
	case len(s) == 0:
		return 0
	case len(s) <= single:
		return 1
	}
	n := 0
	for len(s) > 0 {
		k := min(part, len(s))
		if k < len(s) && leads(s[k-1]) {
			k--
		}
		s = s[k:]
		n++
	}
	return n
}

func TestSegmentInfoString(t *testing.T) {
	tests := []struct {
		info SegmentInfo
		want string
	}{
		{SegmentInfo{Encoding: GSM7}, "0 segments, GSM-7"},
		{SegmentInfo{GSM7, 1, 5, nil}, "1 segment, GSM-7"},
		{SegmentInfo{GSM7, 2, 161, nil}, "2 segments, GSM-7"},
		{SegmentInfo{UCS2, 1, 2, []rune{'☃', 'ê'}}, "1 segment, UCS-2 (non-GSM: ☃ ê)"},
		{SegmentInfo{UCS2, 3, 140, []rune{'😀'}}, "3 segments, UCS-2 (non-GSM: 😀)"},
		{SegmentInfo{UCS2, 1, 3, []rune{'\t', 0xa0, utf8.RuneError}}, "1 segment, UCS-2 (non-GSM: U+0009 U+00A0 �)"},
	}
	for _, tt := range tests {
		if got := tt.info.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.info, got, tt.want)
		}
	}
}

func TestCountSegmentsAllocations(t *testing.T) {
	body := strings.Repeat("Reply STOP to opt out {€} ", 20)
	if n := testing.AllocsPerRun(100, func() { CountSegments(body) }); n != 0 {
		t.Errorf("CountSegments on a GSM-7 body allocates %v times, want 0", n)
	}
}

func FuzzCountSegments(f *testing.F) {
	for _, s := range []string{
		"", "a", "hello {world}", "café crêpe ☃", "😀a😀", "a\xffb",
		strings.Repeat("a", 152) + "€" + strings.Repeat("a", 152),
		strings.Repeat("a", 66) + "😀" + strings.Repeat("a", 66),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		got := CountSegments(body)
		runes := utf8.RuneCountInString(body)

		if got.Segments < 0 || got.Units < 0 {
			t.Fatalf("negative count: %+v", got)
		}
		if (got.Segments == 0) != (body == "") || (got.Units == 0) != (body == "") {
			t.Fatalf("empty body %v but %+v", body == "", got)
		}
		if (got.Encoding == GSM7) != (len(got.NonGSM) == 0) {
			t.Fatalf("encoding %s with NonGSM %q", got.Encoding, got.NonGSM)
		}
		var single, part int
		switch got.Encoding {
		case GSM7:
			if got.NonGSM != nil {
				t.Fatalf("GSM-7 with non-nil NonGSM %q", got.NonGSM)
			}
			if got.Units < runes || got.Units > 2*runes {
				t.Fatalf("GSM-7 units %d for %d runes", got.Units, runes)
			}
			single, part = 160, 153
		case UCS2:
			if want := len(utf16.Encode([]rune(body))); got.Units != want {
				t.Fatalf("UCS-2 units %d, want %d", got.Units, want)
			}
			inBody := make(map[rune]bool)
			for _, r := range body {
				inBody[r] = true
			}
			seen := make(map[rune]bool)
			for _, r := range got.NonGSM {
				if seen[r] || !inBody[r] || gsmSeptets(r) != 0 {
					t.Fatalf("NonGSM %q: %q is repeated, absent or GSM-7", got.NonGSM, r)
				}
				seen[r] = true
			}
			single, part = 70, 67
		default:
			t.Fatalf("unknown encoding %q", got.Encoding)
		}
		if got.Units <= single && got.Segments > 1 {
			t.Fatalf("%d units in %d segments, want at most 1", got.Units, got.Segments)
		}
		if got.Units > single {
			// Every part but the last holds part or part-1 units.
			if got.Segments*part < got.Units || (got.Segments-1)*(part-1) >= got.Units {
				t.Fatalf("%d units in %d segments of %d", got.Units, got.Segments, part)
			}
		}
		if ref := referenceCount(body); !equalInfo(got, ref) {
			t.Fatalf("CountSegments = %+v, reference = %+v", got, ref)
		}
		if s := got.String(); !strings.HasPrefix(s, strconv.Itoa(got.Segments)+" segment") {
			t.Fatalf("String() = %q", s)
		}
	})
}

func BenchmarkCountSegments(b *testing.B) {
	for _, bm := range []struct{ name, body string }{
		{"GSM-7", strings.Repeat("Reply STOP to opt out {€} ", 20)},
		{"UCS-2", strings.Repeat("Rappel : réunion à 18 h ☃ 😀 ", 20)},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				CountSegments(bm.body)
			}
		})
	}
}

func ExampleCountSegments() {
	fmt.Println(CountSegments("Meeting moved to 6pm. Reply STOP to opt out."))
	fmt.Println(CountSegments("Crêpes at 6 ☃"))
	fmt.Println(CountSegments(strings.Repeat("a", 152) + "€" + strings.Repeat("a", 10)))
	// Output:
	// 1 segment, GSM-7
	// 1 segment, UCS-2 (non-GSM: ê ☃)
	// 2 segments, GSM-7
}
