package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestConfigDurationWording: a duration that is not one and one that is
// too short get different answers, each naming the setting.
func TestConfigDurationWording(t *testing.T) {
	tests := []struct{ name, raw, want string }{
		{"SMSBOT_AUTO_REPLY_EVERY", "0s", `SMSBOT_AUTO_REPLY_EVERY / -auto-reply-every: "0s" must be more than 0, like 12h`},
		{"SMSBOT_AUTO_REPLY_EVERY", "daily", `SMSBOT_AUTO_REPLY_EVERY / -auto-reply-every: "daily" is not a duration like 12h`},
		{"SMSBOT_POLL_EVERY", "500ms", `SMSBOT_POLL_EVERY / -poll-every: "500ms" must be at least 1s, like 5s`},
		{"SMSBOT_POLL_EVERY", "5", `SMSBOT_POLL_EVERY / -poll-every: "5" is not a duration like 5s`},
		{"SMSBOT_MISFIRE_GRACE", "-1m", `SMSBOT_MISFIRE_GRACE / -misfire-grace: "-1m" must not be negative; use 0 or a duration like 10m`},
		{"SMSBOT_TWILIO_TIMEOUT", "0s", `SMSBOT_TWILIO_TIMEOUT / -twilio-timeout: "0s" must be more than 0, like 15s`},
		{"SMSBOT_TWILIO_DIAL_TIMEOUT", "-2s", `SMSBOT_TWILIO_DIAL_TIMEOUT / -twilio-dial-timeout: "-2s" must be more than 0, like 15s`},
		{"SMSBOT_TWILIO_TLS_TIMEOUT", "soon", `SMSBOT_TWILIO_TLS_TIMEOUT / -twilio-tls-timeout: "soon" is not a duration like 15s`},
		{"SMSBOT_HTTP_READ_TIMEOUT", "0s", `SMSBOT_HTTP_READ_TIMEOUT / -http-read-timeout: "0s" must be more than 0, like 30s`},
		{"SMSBOT_HTTP_IDLE_TIMEOUT", "1 minute", `SMSBOT_HTTP_IDLE_TIMEOUT / -http-idle-timeout: "1 minute" is not a duration like 30s`},
	}
	for _, tt := range tests {
		m := NewMain()
		m.Stderr = io.Discard
		err := m.ParseFlags(nil, func(k string) string { return map[string]string{tt.name: tt.raw}[k] })
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s=%q: %v\nwant %s", tt.name, tt.raw, err, tt.want)
		}
	}
	m := NewMain()
	if err := m.ParseFlags(nil, func(k string) string { return map[string]string{"SMSBOT_MISFIRE_GRACE": "0"}[k] }); err != nil {
		t.Errorf("SMSBOT_MISFIRE_GRACE=0 (never late): %v", err)
	}
}

// TestLocalZoneIsNamed: without SMSBOT_TZ the machine's zone gets its
// real name, never "Local", whichever way the machine sets it.
func TestLocalZoneIsNamed(t *testing.T) {
	const zoneinfo = "/usr/share/zoneinfo/"
	if _, err := os.Stat(zoneinfo + "Europe/Berlin"); err != nil {
		t.Skip("no zoneinfo on this machine:", err)
	}
	berlin, err := os.ReadFile(zoneinfo + "Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	linked := filepath.Join(t.TempDir(), "localtime")
	if err := os.Symlink(zoneinfo+"Europe/Berlin", linked); err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(t.TempDir(), "localtime")
	os.WriteFile(copied, berlin, 0o644)
	withFile := filepath.Join(t.TempDir(), "localtime")
	os.WriteFile(withFile, berlin, 0o644)
	os.WriteFile(filepath.Join(filepath.Dir(withFile), "timezone"), []byte("Europe/Berlin\n"), 0o644)
	abbr, _ := time.Now().In(mustLoad(t, "Europe/Berlin")).Zone() // CET or CEST

	// rules is the zone whose offsets the result must have.
	tests := []struct{ what, tz, localtime, want, rules string }{
		{"$TZ", "America/New_York", linked, "America/New_York", "America/New_York"},
		{"$TZ with a colon", ":America/New_York", linked, "America/New_York", "America/New_York"},
		{"a link into zoneinfo", "", linked, "Europe/Berlin", "Europe/Berlin"},
		{"a copy beside /etc/timezone", "", withFile, "Europe/Berlin", "Europe/Berlin"},
		{"a copy alone", "", copied, abbr, "Europe/Berlin"},
		{"no localtime file", "", filepath.Join(t.TempDir(), "none"), "UTC", "UTC"},
		{"a wrong $TZ", "Mars/Olympus", linked, "Europe/Berlin", "Europe/Berlin"},
	}
	for _, tt := range tests {
		loc := localZone(tt.tz, tt.localtime)
		if loc.String() != tt.want {
			t.Errorf("%s: zone %q, want %q", tt.what, loc, tt.want)
		}
		for _, at := range []time.Time{time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC)} {
			_, got := at.In(loc).Zone()
			_, want := at.In(mustLoad(t, tt.rules)).Zone()
			if got != want {
				t.Errorf("%s: offset %ds on %s, want %ds (%s)", tt.what, got, at.Format("Jan 2"), want, tt.rules)
			}
		}
	}
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestConfigTZEmptyIsNotLocal: ParseFlags itself never leaves the zone
// named "Local".
func TestConfigTZEmptyIsNotLocal(t *testing.T) {
	m := NewMain()
	if err := m.ParseFlags(nil, func(k string) string { return map[string]string{"TZ": "Asia/Tokyo"}[k] }); err != nil {
		t.Fatal(err)
	}
	if m.Config.TZ.String() != "Asia/Tokyo" {
		t.Fatalf("TZ=Asia/Tokyo, SMSBOT_TZ empty: zone %q", m.Config.TZ)
	}
	m = NewMain()
	if err := m.ParseFlags(nil, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if m.Config.TZ.String() == "Local" {
		t.Fatal(`SMSBOT_TZ empty: zone "Local"`)
	}
}
