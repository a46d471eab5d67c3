package discord

import (
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://discord.com/api/v9/webhooks/1311/aW50ZXJhY3Rpb24/messages/@original": "https://discord.com/api/v9/webhooks/1311/REDACTED/messages/@original",
		"https://discord.com/api/v9/interactions/1311/tok/callback":                   "https://discord.com/api/v9/interactions/1311/REDACTED/callback",
		"https://discord.com/api/v9/webhooks/1311/tok?wait=true":                      "https://discord.com/api/v9/webhooks/1311/REDACTED?REDACTED",
		"https://cdn.discordapp.com/attachments/1/2/a.csv?ex=1&is=2&hm=3":             "https://cdn.discordapp.com/attachments/1/2/a.csv?REDACTED",
		"https://discord.com/api/v9/channels/1/messages":                              "https://discord.com/api/v9/channels/1/messages",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
	if got := redactPath("POST /webhooks/1311/tok"); got != "POST /webhooks/1311/REDACTED" {
		t.Errorf("redactPath = %q", got)
	}
}

// An interaction ID is remembered until its time, then forgotten (and
// swept, so memory stays bounded by the window).
func TestSeenForgetsAfterTheWindow(t *testing.T) {
	clock := clockwork.NewFakeClock()
	s := newSeen(clock)
	if !s.first("1", clock.Now().Add(5*time.Minute)) || s.first("1", clock.Now().Add(5*time.Minute)) {
		t.Fatal("a repeat within the window is new, or the first is not")
	}
	if !s.first("", clock.Now().Add(time.Hour)) || !s.first("", clock.Now().Add(time.Hour)) {
		t.Fatal("an interaction without an ID was refused")
	}
	clock.Advance(5 * time.Minute)
	if !s.first("2", clock.Now().Add(time.Minute)) || s.size() != 1 {
		t.Fatalf("after the window: %d remembered, want only the new one", s.size())
	}
	if !s.first("1", clock.Now().Add(time.Minute)) {
		t.Fatal("an ID was remembered past its window")
	}
}
