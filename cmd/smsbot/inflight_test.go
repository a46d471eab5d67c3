package main

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"smsbot/broadcast/latency"
	"smsbot/broadcast/twilio/twiliotest"
)

// TestCallsInFlightFollowRateTimesLatency runs the built binary against
// the Twilio fake answering in 150 ms, with the account's limit of 100
// concurrent requests. A short code at 100 segments/s needs 15 calls in
// flight (Little's law): smsbot keeps about that many, where a fixed 4
// would send 27/s. The number never goes over its rate in any second, and
// every recipient gets one text.
func TestCallsInFlightFollowRateTimesLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("runs smsbot for about 4 s against a Twilio fake")
	}
	t.Parallel()
	const (
		rate     = 100
		contacts = 300
		body     = "Dinner is served"
		number   = "+12065550100"
	)
	fake := twiliotest.NewServer(twiliotest.Config{
		Latency:     latency.Constant(150 * time.Millisecond),
		Concurrency: 100,
	})
	t.Cleanup(fake.Close)
	env := childEnv("TWILIO_ACCOUNT_SID="+fake.AccountSID(), "TWILIO_AUTH_TOKEN="+fake.AuthToken(),
		"TWILIO_API_URL="+fake.URL(), "SMSBOT_POLL_EVERY=1h")
	p := startConsole(t, "console", filepath.Join(t.TempDir(), "smsbot.db"), env, 120*time.Second)
	script, want := sendScript([]string{number}, rate, contacts, body)
	p.send(script)
	p.waitLine("the final report", 0, summaryRe.MatchString)
	p.endInput()

	checkOneSummary(t, p, fmt.Sprintf("Sent %d, failed 0, skipped 0 of %d in ", contacts, contacts))
	checkOnePerRecipient(t, fake, want, body)
	// ⌈100 × 0.15 × 1.25⌉ + 1 = 20 at most; 15 on average at full rate.
	// A loaded machine may start calls late, so the floor is lower than
	// 15, but well above a fixed 4.
	peak := fake.Peak()
	t.Logf("peak of %d calls in flight at Twilio, %d refused", peak, fake.Refused())
	if peak < 10 || peak > 21 {
		t.Errorf("peak of %d calls in flight at Twilio; want about rate × latency = 15 (10 to 21)", peak)
	}
	if n := fake.Refused(); n != 0 {
		t.Errorf("Twilio refused %d calls with 20429; the account allows 100", n)
	}
	// The pacer's bound: rate × (1 s + 10 ms tolerance) + 1.
	if n := twiliotest.MaxInWindow(fake.Outbound(), number, time.Second); n > rate+2 {
		t.Errorf("%d texts from %s in one second, over its rate of %d", n, number, rate)
	}
}
