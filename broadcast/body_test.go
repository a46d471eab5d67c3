package broadcast_test

import (
	"context"
	"strings"
	"testing"

	"smsbot/broadcast"
	"smsbot/importer"
)

// TestValidateBodyCountsAsTwilio: the 1,600-character limit is Twilio's
// count, CountSegments' Units: septets for GSM-7 (extension characters
// count 2), UTF-16 code units for UCS-2 (emoji count 2; CJK and
// combining marks 1 each), not code points.
func TestValidateBodyCountsAsTwilio(t *testing.T) {
	r := strings.Repeat
	tests := []struct {
		name string
		body string
		want string // "" when valid
	}{
		{"GSM-7 at the limit", r("a", 1600), ""},
		{"GSM-7 over", r("a", 1601), "the message is 1601 characters long; the limit is 1600"},
		{"GSM-7 accents at the limit", r("é", 1600), ""},
		{"extension characters at the limit", r("€", 800), ""},
		{"extension characters over", r("€", 800) + "a", "the message is 1601 characters long as Twilio counts them (^ { } \\ [ ~ ] | € count 2); the limit is 1600"},
		{"braces over", r("{}", 200) + r("a", 801), "the message is 1601 characters long as Twilio counts them"},
		{"emoji at the limit", r("😀", 800), ""},
		{"emoji over", r("😀", 800) + "a", "the message is 1601 characters long as Twilio counts them (emoji and a few rare characters count 2); the limit is 1600"},
		{"one emoji tips it over", r("a", 1599) + "👍", "the message is 1601 characters long as Twilio counts them"},
		{"flag and skin tone", r("🇩🇪👍🏽", 200), ""}, // 4+4 units each: 1600
		{"flag and skin tone over", r("🇩🇪👍🏽", 200) + ".", "the message is 1601 characters"},
		{"CJK at the limit", r("漢", 1600), ""},
		{"CJK over", r("漢", 1601), "the message is 1601 characters long; the limit is 1600"},
		{"combining marks at the limit", r("e\u0301", 800), ""},
		{"combining marks over", r("e\u0301", 800) + "x", "the message is 1601 characters long; the limit is 1600"},
		{"empty", "  \n", "the message is empty"},
	}
	for _, tt := range tests {
		err := broadcast.ValidateBody(tt.body)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v, want it valid", tt.name, err)
		case tt.want != "" && (broadcast.ErrorCode(err) != broadcast.EINVALID || !strings.HasPrefix(broadcast.ErrorMessage(err), tt.want)):
			t.Errorf("%s: %v, want EINVALID %q", tt.name, err, tt.want)
		}
		if got := broadcast.BodyChars(tt.body); (got > broadcast.MaxBodyChars) != (tt.want != "" && tt.want != "the message is empty") {
			t.Errorf("%s: BodyChars = %d", tt.name, got)
		}
	}
}

// TestMergedTextsCountAsTwilio: a template whose merge fields make one
// recipient's text over 1,600 of Twilio's characters is refused, even
// when it has fewer code points.
func TestMergedTextsCountAsTwilio(t *testing.T) {
	ctx := context.Background()
	b := setup(t, testOpts{})
	b.addSenders(t, 100, "+12065550101")
	err := b.store.ImportContacts(ctx, "crew", "test", func(w importer.Writer) error {
		_, err := w.Write(ctx, []importer.Row{
			{Line: 2, Phone: "+12065550001", Fields: map[string]string{"first_name": "Ada"}},
			{Line: 3, Phone: "+12065550002", Fields: map[string]string{"first_name": strings.Repeat("🎉", 10)}}, // 20 units
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	body := "{{first_name}} " + strings.Repeat("a", 1570) // Ada: 1574; 🎉×10: 1581 code points, 1591 units, UCS-2
	if _, err := b.engine.Prepare(ctx, broadcast.Draft{List: "crew", Body: body, RequestedBy: "alice"}); err != nil {
		t.Fatalf("a template within the limit for everyone: %v", err)
	}
	body += strings.Repeat("a", 10) // 🎉×10: 1591 code points, 1601 units
	_, err = b.engine.Prepare(ctx, broadcast.Draft{List: "crew", Body: body, RequestedBy: "alice"})
	if broadcast.ErrorCode(err) != broadcast.EINVALID || !strings.Contains(broadcast.ErrorMessage(err), "would be over 1600 characters") {
		t.Fatalf("a template over the limit for one recipient: %v", err)
	}
}
