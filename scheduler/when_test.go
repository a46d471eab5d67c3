package scheduler

import (
	"strings"
	"testing"
	"time"

	"smsbot/broadcast"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseWhen(t *testing.T) {
	la := mustLoad(t, "America/Los_Angeles")
	// Tuesday 1 December 2026, 15:33 in Los Angeles.
	now := time.Date(2026, 12, 1, 15, 33, 0, 0, la)
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, la) }
	tests := []struct {
		in       string
		at       time.Time
		spec     string
		rest     string
		zone     string
		nextSpec time.Time // for specs: the next run after now
	}{
		{in: "2026-12-01 18:45 crew Dinner!", at: at(2026, 12, 1, 18, 45), rest: "crew Dinner!"},
		{in: "18:45 crew Dinner", at: at(2026, 12, 1, 18, 45), rest: "crew Dinner"},
		{in: "09:00 crew Judging", at: at(2026, 12, 2, 9, 0), rest: "crew Judging"},
		{in: "6:45pm crew x", at: at(2026, 12, 1, 18, 45), rest: "crew x"},
		{in: "6pm crew x", at: at(2026, 12, 1, 18, 0), rest: "crew x"},
		{in: "12am crew x", at: at(2026, 12, 2, 0, 0), rest: "crew x"},
		{in: "tomorrow 09:00 crew Judging starts", at: at(2026, 12, 2, 9, 0), rest: "crew Judging starts"},
		{in: "today 23:59 crew x", at: at(2026, 12, 1, 23, 59), rest: "crew x"},
		{in: "friday 18:45 crew x", at: at(2026, 12, 4, 18, 45), rest: "crew x"},
		{in: "tue 09:00 crew x", at: at(2026, 12, 8, 9, 0), rest: "crew x"},
		{in: "2026-12-01T18:45:00-08:00 crew x", at: at(2026, 12, 1, 18, 45), rest: "crew x"},
		{in: "in 30m crew x", at: at(2026, 12, 1, 16, 3), rest: "crew x"},
		{in: "in 2h crew x", at: at(2026, 12, 1, 17, 33), rest: "crew x"},
		{in: "in 1h30m crew x", at: at(2026, 12, 1, 17, 3), rest: "crew x"},
		{in: "in 45 minutes crew x", at: at(2026, 12, 1, 16, 18), rest: "crew x"},
		// In quotes, as /sms help writes them.
		{in: `"tomorrow 09:00" crew Judging`, at: at(2026, 12, 2, 9, 0), rest: "crew Judging"},
		{in: `"in 30m" crew x`, at: at(2026, 12, 1, 16, 3), rest: "crew x"},
		{in: `'18:45' crew x`, at: at(2026, 12, 1, 18, 45), rest: "crew x"},
		{in: `"0 9 * * *" crew Stand-up`, spec: "0 9 * * *", rest: "crew Stand-up", zone: "America/Los_Angeles", nextSpec: at(2026, 12, 2, 9, 0)},
		{in: `“30 8 * * 1-5” crew x`, spec: "30 8 * * 1-5", rest: "crew x", zone: "America/Los_Angeles", nextSpec: at(2026, 12, 2, 8, 30)},
		{in: `"CRON_TZ=Europe/Berlin 0 9 * * *" crew x`, spec: "CRON_TZ=Europe/Berlin 0 9 * * *", rest: "crew x", zone: "Europe/Berlin",
			nextSpec: time.Date(2026, 12, 2, 9, 0, 0, 0, mustLoad(t, "Europe/Berlin"))},
		{in: "@daily crew x", spec: "@daily", rest: "crew x", zone: "America/Los_Angeles", nextSpec: at(2026, 12, 2, 0, 0)},
		{in: "@every 2h crew x", spec: "@every 2h", rest: "crew x", zone: "America/Los_Angeles", nextSpec: at(2026, 12, 1, 17, 33)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			w, rest, err := ParseWhen(tt.in, now, la)
			if err != nil {
				t.Fatal(err)
			}
			if rest != tt.rest || w.Spec != tt.spec || !w.At.Equal(tt.at) {
				t.Fatalf("= at %v spec %q rest %q; want at %v spec %q rest %q", w.At, w.Spec, rest, tt.at, tt.spec, tt.rest)
			}
			if tt.spec != "" {
				if w.Location.String() != tt.zone || !w.Next(now).Equal(tt.nextSpec) {
					t.Fatalf("zone %s next %v; want %s %v", w.Location, w.Next(now), tt.zone, tt.nextSpec)
				}
			}
		})
	}
}

func TestParseWhenErrors(t *testing.T) {
	la := mustLoad(t, "America/Los_Angeles")
	now := time.Date(2026, 12, 1, 15, 33, 0, 0, la)
	tests := []struct{ in, want string }{
		{"", "say when"},
		{"6:45 crew x", `"6:45" is ambiguous: did you mean 06:45 or 18:45?`},
		{"9 crew x", `"9" is not a time of day: did you mean 09:00 or in 9h?`},
		{"12/01 18:45 crew x", `"12/01" is ambiguous: did you mean 2026-12-01 or 2026-01-12?`},
		{"tommorow 09:00 crew x", "did you mean tomorrow?"},
		{"in 30 crew x", `in 30 what? did you mean "in 30m" (minutes) or "in 30h" (hours)?`},
		{"in soon crew x", `"in soon" is not a delay`},
		{"in 20s crew x", "at least a minute"},
		{"2026-11-30 18:45 crew x", "Mon 30 Nov 18:45 PST has passed"},
		{"today 09:00 crew x", "has passed"},
		{"25:00 crew x", `"25:00" is not a time of day`},
		{"13pm crew x", `"13pm" is not a time of day`},
		{"0 9 * * * crew x", `put the cron spec in quotes: "0 9 * * *"`},
		{`"0 9 * *" crew x`, `"0 9 * *" is not a cron spec`},
		{`"0 9 * * * crew x`, "no closing quote"},
		{"CRON_TZ=Europe/Berlin 0 9 * * * crew x", "put the cron spec in quotes"},
		{`"CRON_TZ=Mars/Olympus 0 9 * * *" crew x`, "is not a cron spec"},
		{"@fortnightly crew x", `"@fortnightly" is not a cron spec`},
		{`"tommorow 09:00" crew x`, "did you mean tomorrow?"},
		{`"tomorrow 09:00 crew" x`, `put only the time in quotes`},
		{"2026-13-01 18:45 crew x", `"2026-13-01" is not a date`},
		{"soon crew x", `"soon" is not a time`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, _, err := ParseWhen(tt.in, now, la)
			if broadcast.ErrorCode(err) != broadcast.EINVALID || !strings.Contains(broadcast.ErrorMessage(err), tt.want) {
				t.Fatalf("ParseWhen(%q) = %v, want EINVALID with %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestNextAcrossDST(t *testing.T) {
	la := mustLoad(t, "America/Los_Angeles")
	start := time.Date(2026, 10, 31, 8, 0, 0, 0, la)
	w, _, err := ParseWhen(`"0 9 * * *" crew x`, start, la)
	if err != nil {
		t.Fatal(err)
	}
	// DST ends on Sunday 1 November 2026: 09:00 local stays 09:00 local.
	first := w.Next(start)
	second := w.Next(first)
	if first.In(la).Hour() != 9 || second.In(la).Hour() != 9 || second.Sub(first) != 25*time.Hour {
		t.Fatalf("runs %v and %v", first.In(la), second.In(la))
	}
}
