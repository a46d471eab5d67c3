package bot_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf16"

	"smsbot/bot"
)

// TestLongTextsAreCountedAsTwilioCounts: a body over 1,600 of Twilio's
// characters is refused with why it counts more than it looks, and a
// preview over 10 segments warns.
func TestLongTextsAreCountedAsTwilioCounts(t *testing.T) {
	b := setup(t)
	b.do("console", "numbers add +12065550101 100")
	b.do("console", "add crew +12065550001")
	posts := b.do("console", "send crew "+strings.Repeat("🎉", 801)) // 801 code points, 1602 units
	if len(posts) != 1 || !strings.Contains(posts[0].Text, "the message is 1602 characters long as Twilio counts them (emoji and a few rare characters count 2); the limit is 1600") {
		t.Fatalf("an emoji-heavy body answered %+v", posts)
	}
	posts = b.do("console", "send crew "+strings.Repeat("🎉", 400)) // 800 units: 13 segments of UCS-2, 33 emoji in each 67-unit part
	if len(posts) != 1 || !hasField(posts[0].Fields, "⚠️ Long text", "13 segments per text: carriers may not join more than 10") {
		t.Fatalf("a 13-segment preview: %+v", posts)
	}
	posts = b.do("console", "send crew "+strings.Repeat("a", 1530)) // 10 segments of GSM-7
	if len(posts) != 1 || hasField(posts[0].Fields, "⚠️ Long text", "") {
		t.Fatalf("a 10-segment preview warns: %+v", posts)
	}
}

func hasField(fields []bot.Field, label, value string) bool {
	for _, f := range fields {
		if f.Label == label && strings.Contains(f.Value, value) {
			return true
		}
	}
	return false
}

// TestImportMessageClipsBadCells: an invalid row's cell is quoted in the
// import's message at most 40 UTF-16 units long, cut between whole
// characters, before it is quoted.
func TestImportMessageClipsBadCells(t *testing.T) {
	b := setup(t)
	r, _ := importRouter(t, b, 0)
	data := "phone,name\n+12065550001,Ada\n" + strings.Repeat("call me 😀 ", 50) + ",Eve\n"
	_, m, err := r.Import(context.Background(), "console", "crew", "ref", oneFile{stream(strings.NewReader(data))})
	if err != nil {
		t.Fatal(err)
	}
	var line string
	for _, f := range m.Fields {
		if f.Label == "Invalid rows" {
			line = f.Value
		}
	}
	quoted := strings.TrimPrefix(line, "line 3: ")
	end := strings.Index(quoted, `…"`)
	if !strings.HasPrefix(quoted, `"call me 😀 call me`) || end < 0 {
		t.Fatalf("invalid rows: %q", line)
	}
	if n := len(utf16.Encode([]rune(quoted[1:end]))) + 1; n > 40 {
		t.Errorf("the cell is quoted %d units long: %q", n, quoted)
	}
}

// TestImportMessageSaysTheEncoding: a Windows-1252 file is read as such,
// and the import's message says so.
func TestImportMessageSaysTheEncoding(t *testing.T) {
	b := setup(t)
	r, _ := importRouter(t, b, 0)
	data := "phone,name\n+12065550001,Zo\xeb O\x92Ne\xefl\n" // ’ is 0x92 in Windows-1252 only
	rep, m, err := r.Import(context.Background(), "console", "crew", "ref", oneFile{stream(strings.NewReader(data))})
	if err != nil || rep.Imported != 1 {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	if !strings.Contains(m.Text, "Read as Windows-1252.") {
		t.Errorf("import message %q does not say the file was read as Windows-1252", m.Text)
	}
}
