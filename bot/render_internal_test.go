package bot

import (
	"context"
	"testing"

	"smsbot/broadcast"
)

// A sending broadcast slowed by the provider's concurrency limit says so
// in its progress; a commit hold, which stops sending, is shown instead.
func TestProgressShowsThrottling(t *testing.T) {
	note := "Twilio is limiting concurrent requests: sending 50 at a time"
	p := broadcast.Progress{Broadcast: broadcast.Broadcast{ID: 1, ListName: "crew", Status: broadcast.StatusSending},
		Counts: broadcast.Counts{Total: 10, Queued: 6, Sent: 4}, Throttled: note}
	field := func(m Message, label string) string {
		for _, f := range m.Fields {
			if f.Label == label {
				return f.Value
			}
		}
		return ""
	}
	r := &Router{}
	if got := field(r.progressMessage(context.Background(), p), "🐢 Slowed"); got != note {
		t.Fatalf("slowed field %q, want %q", got, note)
	}
	p.Stalled = "smsbot cannot write to its database"
	if m := r.progressMessage(context.Background(), p); field(m, "🐢 Slowed") != "" || field(m, "⚠️ Held") == "" {
		t.Fatalf("held and throttled: fields %+v, want only the hold", m.Fields)
	}
}
