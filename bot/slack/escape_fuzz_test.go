package slack

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzEscape checks the escaping and fitting of any text into any limit:
// what Slack is sent has no "<", every "&" starts an escape, ">" only
// starts a line, no hidden character is left, nothing is over its limit,
// and what is shown is the escaped text or its start and "…".
func FuzzEscape(f *testing.F) {
	f.Add("<!channel> <https://evil|https://tickets> &amp; > x", 40)
	f.Add("invoice\u202Egnp.exe ad\u200Bmin \r\n\x1b[31m", 20)
	f.Add(strings.Repeat("e\u0301👩\u200D👧🇩🇪&", 50), 300)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
		n = 16 + abs(n)%4000
		whole := escape(s)
		checkEscaped(t, whole)
		out := fit(s, n)
		if size(out) > n {
			t.Fatalf("fit(%d) is %d long", n, size(out))
		}
		if out != whole && (!strings.HasSuffix(out, ellipsis) || !strings.HasPrefix(whole, strings.TrimSuffix(out, ellipsis))) {
			t.Fatalf("fit(%d) = %q is not the start of %q and …", n, out, whole)
		}
		checkEscaped(t, strings.TrimSuffix(out, ellipsis))

		total, most := n*3, 1+abs(n)%5
		parts := pieces(s, n, total, most)
		joined := strings.Join(parts, "")
		sum := 0
		for _, p := range parts {
			if size(p) > n || p == "" {
				t.Fatalf("piece of %d (limit %d)", size(p), n)
			}
			sum += size(p)
		}
		if sum > total || len(parts) > most {
			t.Fatalf("%d pieces of %d in total; limits %d, %d", len(parts), sum, most, total)
		}
		if joined != whole && (!strings.HasSuffix(joined, ellipsis) || !strings.HasPrefix(whole, strings.TrimSuffix(joined, ellipsis))) {
			t.Fatalf("pieces %q are not the start of %q and …", parts, whole)
		}
	})
}

// checkEscaped fails if Slack could read out as anything but text.
func checkEscaped(t *testing.T, out string) {
	t.Helper()
	for i, r := range out {
		switch {
		case r == '<':
			t.Fatalf("raw < at %d in %q", i, out)
		case r == '&' && !strings.HasPrefix(out[i:], "&amp;") && !strings.HasPrefix(out[i:], "&lt;") && !strings.HasPrefix(out[i:], "&gt;"):
			t.Fatalf("bare & at %d in %q", i, out)
		case r == '>' && i > 0 && out[i-1] != '\n':
			t.Fatalf("> inside a line at %d in %q", i, out)
		case r == '\r' || hidden(r) && r != '\n' && r != '\t':
			t.Fatalf("hidden %U at %d in %q", r, i, out)
		}
	}
}

func abs(n int) int {
	if n < 0 {
		return -(n + 1)
	}
	return n
}
