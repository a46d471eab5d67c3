package broadcast

import "testing"

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		raw, region, want, err string
	}{
		{raw: "(206) 555-0100", want: "+12065550100"},
		{raw: "206.555.0100 x12", want: "+12065550100"},
		{raw: "1-206-555-0100", want: "+12065550100"},
		{raw: "12065550100", want: "+12065550100"},
		{raw: "+1 206 555 0100", want: "+12065550100"},
		{raw: "+44 7400 123456", want: "+447400123456"},
		{raw: "0044 7400 123456", want: "+447400123456"},
		{raw: "07400 123456", region: "GB", want: "+447400123456"},
		{raw: "07400 123456", region: "gb", want: "+447400123456"},
		{raw: "", err: "the phone number is empty"},
		{raw: "hello", err: `"hello" is not a phone number: not a number`},
		{raw: "555", err: `"555" is not a phone number: too short`},
		{raw: "+1 206 555 01", err: `"+1 206 555 01" is not a phone number: too short`},
		{raw: "123-456-7890", err: `"123-456-7890" is not a valid number for US`},
		{raw: "+999 1234 5678", err: `"+999 1234 5678" is not a phone number: unknown country code`},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := NormalizePhone(tt.raw, tt.region)
			if tt.err != "" {
				if ErrorCode(err) != EINVALID || ErrorMessage(err) != tt.err {
					t.Fatalf("NormalizePhone(%q) error = %v, want %q", tt.raw, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("NormalizePhone(%q) = %q, %v; want %q", tt.raw, got, err, tt.want)
			}
		})
	}
}
