package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"smsbot/broadcast/twilio/twiliotest"
)

// TestCrashMidSendSendsEachTextOnce kills smsbot with SIGKILL in the middle
// of a broadcast through Twilio, at the worst moment: a create request is
// in flight, Twilio has stored its message, and the outbox row is still
// Sending. A second smsbot on the same database must resume the broadcast,
// find that text at Twilio instead of sending it again, send the rest, and
// exit 0 at the end of its (empty) input. Every recipient gets exactly one
// text, from one sender.
//
// Twilio's list is eventually consistent: the fake lists a new message
// only listDelay after it was created. The binary sets no ReconcileDelay,
// so the engine's default (5 s) applies, and run 2 looks up the held text
// only once it is listed.
func TestCrashMidSendSendsEachTextOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs smsbot twice against a Twilio fake for a few seconds")
	}
	bin := smsbotBinary(t)

	const (
		contacts = 150
		holdAt   = 60 // the create request that is held, counted from 1
		// afterHold is how many more texts Twilio must store after the
		// held one before the kill, so that the other senders (and the
		// held sender's other slots) are mid-send too.
		afterHold = 5
		body      = "Doors open at 7pm"
		// listDelay is a realistic lag of Twilio's list, below the
		// engine's default ReconcileDelay of 5 s.
		listDelay = 2 * time.Second
	)
	senders := []string{"+12065550001", "+12065550002", "+12065550003"}

	var creates atomic.Int64
	var heldTo atomic.Pointer[string]
	fake := twiliotest.NewServer(twiliotest.Config{
		ListDelay: listDelay,
		Fault: func(r twiliotest.CreateRequest) twiliotest.Fault {
			if creates.Add(1) == holdAt {
				heldTo.Store(&r.To) // before the message is stored and sent to Created
				return twiliotest.FaultHold
			}
			return twiliotest.FaultNone
		},
	})
	t.Cleanup(fake.Close)
	t.Cleanup(fake.Release) // runs before Close: no handler stays held
	env := childEnv(
		"TWILIO_ACCOUNT_SID="+fake.AccountSID(),
		"TWILIO_AUTH_TOKEN="+fake.AuthToken(),
		"TWILIO_API_URL="+fake.URL(),
	)
	db := filepath.Join(t.TempDir(), "smsbot.db")

	var want []string
	var script strings.Builder
	for _, s := range senders {
		fmt.Fprintf(&script, "/sms numbers add %s 20\n", s)
	}
	for i := range contacts {
		to := fmt.Sprintf("+1425555%04d", i+1)
		want = append(want, to)
		fmt.Fprintf(&script, "/sms add crew %s\n", to)
	}
	fmt.Fprintf(&script, "/sms send crew %s\n/click approve:1\n", body)

	// Run 1: its stdin stays open, so it never reaches the end of input;
	// it is killed mid-send.
	run1 := &output{name: "run 1 (killed)"}
	cmd1 := exec.Command(bin, "console", "-db", db)
	cmd1.Env = env
	cmd1.Stdout, cmd1.Stderr = &run1.stdout, &run1.stderr
	stdin, err := cmd1.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd1.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd1.Wait() }()
	done1 := false
	t.Cleanup(func() {
		if !done1 {
			_ = cmd1.Process.Kill()
			<-exited
		}
		if t.Failed() {
			run1.logTo(t)
		}
	})
	if _, err := stdin.Write([]byte(script.String())); err != nil {
		t.Fatalf("write script to smsbot: %v", err)
	}

	// Wait until Twilio has stored the held text and afterHold more.
	timeout := time.NewTimer(60 * time.Second) // a failsafe, not a pace
	defer timeout.Stop()
	sawHeld, after := false, 0
	for !sawHeld || after < afterHold {
		select {
		case m := <-fake.Created():
			if p := heldTo.Load(); !sawHeld && p != nil && m.To == *p {
				sawHeld = true
			} else if sawHeld {
				after++
			}
		case err := <-exited:
			done1 = true
			t.Fatalf("smsbot exited before the kill: %v", err)
		case <-timeout.C:
			t.Fatalf("Twilio stored %d texts (create requests: %d); the held one (request %d) stored: %v; %d after it",
				len(fake.Outbound()), fake.Requests(), holdAt, sawHeld, after)
		}
	}
	if err := cmd1.Process.Kill(); err != nil {
		t.Fatalf("kill smsbot: %v", err)
	}
	err = <-exited
	done1 = true
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != -1 {
		t.Fatalf("run 1 ended with %v, want killed by a signal", err)
	}
	held := *heldTo.Load()
	atKill := len(fake.Outbound())
	t.Logf("killed after Twilio stored %d texts; request %d (to %s) held in flight", atKill, holdAt, held)
	if atKill >= contacts {
		t.Fatalf("Twilio already had %d texts at the kill; want it mid-send (< %d)", atKill, contacts)
	}
	fake.Release() // the held handler has ended with its connection; nothing else may hold

	// Run 2: same database, empty input. It resumes, reconciles, sends
	// the rest, waits for the broadcast and exits.
	run2 := &output{name: "run 2 (resume)"}
	t.Cleanup(func() {
		if t.Failed() {
			run2.logTo(t)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd2 := exec.CommandContext(ctx, bin, "console", "-db", db)
	cmd2.Env = env
	cmd2.Stdin = strings.NewReader("")
	cmd2.Stdout, cmd2.Stderr = &run2.stdout, &run2.stderr
	cmd2.WaitDelay = 5 * time.Second
	start := time.Now()
	if err := cmd2.Run(); err != nil {
		t.Fatalf("run 2: %v (context: %v)", err, ctx.Err())
	}
	t.Logf("run 2 took %v", time.Since(start).Round(time.Millisecond))

	// Every recipient got exactly one text, from one of our senders.
	byTo := map[string][]twiliotest.Message{}
	for _, m := range fake.Outbound() {
		byTo[m.To] = append(byTo[m.To], m)
	}
	for _, to := range want {
		got := byTo[to]
		delete(byTo, to)
		if len(got) != 1 {
			var desc []string
			for _, m := range got {
				desc = append(desc, fmt.Sprintf("%s from %s at %s", m.SID, m.From, m.DateCreated.Format(time.RFC3339Nano)))
			}
			t.Errorf("%s got %d texts, want 1: %v", to, len(got), desc)
		}
		froms := map[string]bool{}
		for _, m := range got {
			froms[m.From] = true
			if m.Body != body {
				t.Errorf("%s got body %q, want %q", to, m.Body, body)
			}
			if !slices.Contains(senders, m.From) {
				t.Errorf("%s got a text from %s, not one of our senders %v", to, m.From, senders)
			}
		}
		if len(froms) > 1 {
			t.Errorf("%s got texts from %d senders, want one (sticky): %v", to, len(froms), froms)
		}
	}
	for to, got := range byTo {
		t.Errorf("%d texts to %s, who is not on the list", len(got), to)
	}

	out, logs := run2.stdout.String(), consoleLog(t, db) // the console logs to smsbot.log beside the database
	if !strings.Contains(out, "Resumed after restart") {
		t.Errorf("run 2 stdout does not announce the resumed broadcast")
	}
	if !strings.Contains(out, "finished") {
		t.Errorf("run 2 stdout does not show the broadcast finished")
	}
	if !strings.Contains(logs, "reconciled: provider has the text") {
		t.Errorf("run 2 did not log reconciling the held text (to %s) as sent", held)
	}
}
