package twiliotest_test

import (
	"maps"
	"testing"
	"time"

	"smsbot/broadcast/twilio/twiliotest"
)

func TestMaxInWindow(t *testing.T) {
	t0 := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	at := func(from string, ms ...int) []twiliotest.Message {
		var out []twiliotest.Message
		for _, v := range ms {
			out = append(out, twiliotest.Message{From: from, Arrived: t0.Add(time.Duration(v) * time.Millisecond)})
		}
		return out
	}
	tests := []struct {
		name   string
		msgs   []twiliotest.Message
		from   string
		window time.Duration
		want   int
	}{
		{"none", nil, "", time.Second, 0},
		{"one", at(alice, 0), alice, time.Second, 1},
		{"evenly at 4/s", at(alice, 0, 250, 500, 750, 1000, 1250), alice, time.Second, 4},
		{"the window is half-open", at(alice, 0, 999, 1000), alice, time.Second, 2},
		{"a burst in the middle", at(alice, 0, 900, 1100, 1200, 1300, 2500), alice, time.Second, 4},
		{"unsorted", at(alice, 1300, 0, 1200, 900, 2500, 1100), alice, time.Second, 4},
		{"other senders do not count", append(at(alice, 0, 500), at(bob, 100, 200, 300)...), alice, time.Second, 2},
		{"every sender", append(at(alice, 0, 500), at(bob, 100, 200, 300)...), "", time.Second, 5},
		{"same instant", at(alice, 5, 5, 5), alice, time.Nanosecond, 3},
		{"no window", at(alice, 0, 1), alice, 0, 0},
	}
	for _, tt := range tests {
		if got := twiliotest.MaxInWindow(tt.msgs, tt.from, tt.window); got != tt.want {
			t.Errorf("%s: MaxInWindow = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestArrivedIsTheRealClock(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{}) // its Now is a test clock in 2025
	before := time.Now()
	for _, from := range []string{alice, alice, alice, bob, bob} {
		if _, err := b.send(from, carol, "hi"); err != nil {
			t.Fatal(err)
		}
	}
	after := time.Now()
	b.srv.AddInbound(carol, alice, "inbound: not counted")
	out := b.srv.Outbound()
	for i, m := range out {
		if m.Arrived.Before(before) || m.Arrived.After(after) || (i > 0 && !m.Arrived.After(out[i-1].Arrived)) {
			t.Errorf("message %d arrived %v, want increasing within %v..%v", i, m.Arrived, before, after)
		}
	}
	if got, want := b.srv.MaxPerWindow(time.Hour), map[string]int{alice: 3, bob: 2}; !maps.Equal(got, want) {
		t.Errorf("MaxPerWindow(1h) = %v, want %v", got, want)
	}
	if got, want := b.srv.MaxPerWindow(time.Nanosecond), map[string]int{alice: 1, bob: 1}; !maps.Equal(got, want) {
		t.Errorf("MaxPerWindow(1ns) = %v, want %v", got, want)
	}
	if got := twiliotest.MaxInWindow(out, alice, time.Hour); got != 3 {
		t.Errorf("MaxInWindow(Outbound(), alice, 1h) = %d, want 3", got)
	}
}
