package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"smsbot/broadcast/twilio/twiliotest"
)

// A one-shot scheduled a few seconds ahead, through the console, fires
// once and its texts reach Twilio.
func TestConsoleScheduleFiresOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("waits a few seconds for the schedule")
	}
	bin := smsbotBinary(t)
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	out := &output{name: "console"}
	cmd := exec.Command(bin, "console", "-db", filepath.Join(t.TempDir(), "smsbot.db"))
	cmd.Env = childEnv("TWILIO_ACCOUNT_SID="+fake.AccountSID(), "TWILIO_AUTH_TOKEN="+fake.AuthToken(),
		"TWILIO_API_URL="+fake.URL(), "SMSBOT_TZ=Europe/Berlin", "SMSBOT_POLL_EVERY=1h")
	cmd.Stdout, cmd.Stderr = &out.stdout, &out.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			out.logTo(t)
		}
	})
	at := time.Now().Add(3 * time.Second).UTC().Format(time.RFC3339)
	fmt.Fprintf(stdin, "/sms numbers add +12065550101 10\n/sms add crew +14255550001 Ada\n/sms add crew +14255550002 Grace\n"+
		"/sms schedule %s crew Hi {{first_name}}, dinner is served\n@bob /click sapprove:1\n", at)

	got := map[string]string{}
	timeout := time.After(60 * time.Second) // a failsafe, not a pace
	for len(got) < 2 {
		select {
		case m := <-fake.Created():
			got[m.To] = m.Body
		case err := <-exited:
			t.Fatalf("smsbot exited early: %v", err)
		case <-timeout:
			t.Fatalf("texts at Twilio: %v", got)
		}
	}
	stdin.Close() // the end of input: the console waits for the broadcast, then exits
	if err := <-exited; err != nil {
		t.Fatalf("exit: %v", err)
	}
	if got["+14255550001"] != "Hi Ada, dinner is served" || got["+14255550002"] != "Hi Grace, dinner is served" {
		t.Fatalf("texts: %v", got)
	}
	if n := len(fake.Outbound()); n != 2 {
		t.Fatalf("Twilio has %d texts, want 2", n)
	}
	stdout := out.stdout.String()
	for _, want := range []string{"Schedule #1 to crew, at", "CET", "Approved by bob", "⏰ Schedule #1 started", "Broadcast #1 to crew: finished"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("console output lacks %q", want)
		}
	}
}
