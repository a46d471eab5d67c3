package sim_test

import (
	"strings"
	"testing"

	"smsbot/broadcast"
	"smsbot/broadcast/sim"
)

func TestParseFailures(t *testing.T) {
	tests := []struct {
		in   string
		want string // String() of the result
	}{
		{"", "off"},
		{"off", "off"},
		{" OFF ", "off"},
		{"30003:2%", "30003:2%"},
		{"30003:2%,30007:1%,21610:0.5%", "30003:2%,30007:1%,21610:0.5%"},
		{" 30003 : 2% , stop:1% ", "30003:2%,stop:1%"},
		{"STOP:100%", "stop:100%"},
		{"30003:60%,30007:40%", "30003:60%,30007:40%"},
		{"21211:0.0001%", "21211:0.0001%"},
		{"30003:2.50%", "30003:2.5%"},
		{"stop:100%,30003:100%", "stop:100%,30003:100%"}, // STOP is not a failure: its share is apart
	}
	for _, tt := range tests {
		fs, err := sim.ParseFailures(tt.in)
		if err != nil {
			t.Errorf("ParseFailures(%q): %v", tt.in, err)
			continue
		}
		if got := fs.String(); got != tt.want {
			t.Errorf("ParseFailures(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseFailuresErrorsNameTheEntry(t *testing.T) {
	for in, want := range map[string]string{
		"30003:two%":          `"30003:two%" is not a share like 2%`,
		"30003:2":             `"30003:2" is not a share like 2%`,
		"30003:2%%":           `"30003:2%%" is not a share like 2%`,
		"30003:-1%":           `"30003:-1%" is not a share like 2%`,
		"30003:NaN%":          `"30003:NaN%" is not a share like 2%`,
		"30003:1e1%":          `"30003:1e1%" is not a share like 2%`,
		"30003:0%":            `"30003:0%": a share must be more than 0% and at most 100%`,
		"30003:101%":          `"30003:101%": a share must be more than 0% and at most 100%`,
		"30003":               `"30003" is not a code and a share like 30003:2%`,
		"30003:2%,":           `"" is not a code and a share like 30003:2%`,
		":2%":                 `":2%" is not a code and a share like 30003:2%`,
		"30009:1%":            `"30009:1%": 30009 is not a code the simulated carrier fails with; use 21211, 21408, 21610, 21612, 21614, 30003, 30004, 30005, 30006, 30007, 30008, or stop for STOP replies`,
		"20003:1%":            `"20003:1%": 20003 is not a code`,
		"30003:1%,30003:2%":   `"30003:2%": 30003 is given twice`,
		"30003:60%,30007:50%": `"30003:60%,30007:50%": the failures add up to 110%, more than 100%`,
	} {
		_, err := sim.ParseFailures(in)
		if err == nil || !strings.HasPrefix(broadcast.ErrorMessage(err), want) {
			t.Errorf("ParseFailures(%q) = %v, want %q", in, err, want)
			continue
		}
		if broadcast.ErrorCode(err) != broadcast.EINVALID {
			t.Errorf("ParseFailures(%q): code %s, want EINVALID", in, broadcast.ErrorCode(err))
		}
	}
}

// Every code the simulated carrier fails with is one the failure
// explanations know, so /sms stats explains each.
func TestFailureCodesAreExplained(t *testing.T) {
	for _, code := range sim.FailureCodes() {
		if e := broadcast.ExplainCarrierError(code); e.Summary == "carrier error "+code || e.Action == "" {
			t.Errorf("%s has no explanation: %+v", code, e)
		}
		f := sim.Failure{Code: code}
		if want := strings.HasPrefix(code, "21"); f.AtSend() != want {
			t.Errorf("%s: AtSend %v, want %v (21xxx at the send, 30xxx as receipts)", code, f.AtSend(), want)
		}
	}
}

// FuzzParseFailures checks that ParseFailures never panics, that what it
// accepts is within its rules, and that String reads back the same.
func FuzzParseFailures(f *testing.F) {
	for _, s := range []string{"", "off", "30003:2%,30007:1%,21610:0.5%", "stop:1%", "30003:two%", "30003:60%,30007:50%", "30003:1%,30003:1%", ",,", "30003:100.0000%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fs, err := sim.ParseFailures(s)
		if err != nil {
			if broadcast.ErrorCode(err) != broadcast.EINVALID {
				t.Fatalf("ParseFailures(%q): %v is not EINVALID", s, err)
			}
			return
		}
		total := 0.0
		seen := map[string]bool{}
		for _, f := range fs {
			if f.Percent <= 0 || f.Percent > 100 || seen[f.Code] {
				t.Fatalf("ParseFailures(%q) = %v: bad entry %+v", s, fs, f)
			}
			seen[f.Code] = true
			if f.Code != sim.Stop {
				total += f.Percent
			}
		}
		if total > 100+1e-9 {
			t.Fatalf("ParseFailures(%q) = %v adds up to %v%%", s, fs, total)
		}
		again, err := sim.ParseFailures(fs.String())
		if err != nil || again.String() != fs.String() {
			t.Fatalf("ParseFailures(%q).String() = %q reads back as %v, %v", s, fs.String(), again, err)
		}
	})
}
