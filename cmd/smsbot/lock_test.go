package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"smsbot/broadcast/twilio/twiliotest"
	"smsbot/store"
)

// wantRefusal checks that out is exactly the one-line refusal naming pid
// as the holder of db.
func wantRefusal(t *testing.T, what, out, db string, pid int) {
	t.Helper()
	host, _ := os.Hostname()
	prefix := fmt.Sprintf("smsbot is already running on %s (pid %d on host %s, since ", db, pid, host)
	const suffix = "); stop it or use another SMSBOT_DB\n"
	if !strings.HasPrefix(out, prefix) || !strings.HasSuffix(out, suffix) || strings.Count(out, "\n") != 1 {
		t.Errorf("%s said %q, want one line %q…%q", what, out, prefix, suffix)
	}
}

// A console on a database whose lock is held refuses before it opens the
// database: the file is not even created, so nothing is migrated or
// reconciled.
func TestConsoleRefusesHeldDatabaseBeforeOpeningIt(t *testing.T) {
	db := filepath.Join(t.TempDir(), "smsbot.db")
	lock := store.NewLock(db)
	if err := lock.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	for _, command := range []string{"console", "serve"} {
		var stdout, stderr bytes.Buffer
		m := NewMain()
		m.Stdin, m.Stdout, m.Stderr = strings.NewReader(""), &stdout, &stderr
		env := map[string]string{"SMSBOT_HTTP_ADDR": "127.0.0.1:0"}
		if err := m.ParseFlags([]string{command, "-db", db}, func(k string) string { return env[k] }); err != nil {
			t.Fatal(err)
		}
		err := m.Run(context.Background())
		var running *alreadyRunningError
		if !errors.As(err, &running) {
			t.Fatalf("%s on a held database: %v, want an *alreadyRunningError", command, err)
		}
		wantRefusal(t, command, err.Error()+"\n", db, os.Getpid())
		if stdout.Len() > 0 || stderr.Len() > 0 {
			t.Errorf("%s printed %q and logged %q before refusing", command, stdout.String(), stderr.String())
		}
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("database file after the refusals: %v, want none", err)
	}
}

// TestSecondProcessOnOneDatabaseRefusesToStart runs a console mid-broadcast
// through Twilio, with one create request held in flight. A second console
// and a serve on the same database exit 1 with one line naming the first's
// pid, and reconcile nothing; smsbot import still works. The first's
// broadcast then finishes with exactly one text per recipient. After the
// first is killed with SIGKILL, its stale lock file does not keep a new
// console from starting.
func TestSecondProcessOnOneDatabaseRefusesToStart(t *testing.T) {
	if testing.Short() {
		t.Skip("runs smsbot five times against a Twilio fake")
	}
	bin := smsbotBinary(t)
	const (
		contacts = 30
		holdAt   = 5 // the create request held while the others start
		body     = "Doors open at 7pm"
	)
	var creates atomic.Int64
	held := make(chan struct{})
	fake := twiliotest.NewServer(twiliotest.Config{
		Fault: func(twiliotest.CreateRequest) twiliotest.Fault {
			if creates.Add(1) == holdAt {
				close(held)
				return twiliotest.FaultHold
			}
			return twiliotest.FaultNone
		},
	})
	t.Cleanup(fake.Close)
	t.Cleanup(fake.Release) // runs before Close: no handler stays held
	env := childEnv("TWILIO_ACCOUNT_SID="+fake.AccountSID(), "TWILIO_AUTH_TOKEN="+fake.AuthToken(),
		"TWILIO_API_URL="+fake.URL(), "SMSBOT_POLL_EVERY=1h", "SMSBOT_HTTP_ADDR=127.0.0.1:0")
	dir := t.TempDir()
	db := filepath.Join(dir, "smsbot.db")

	var want []string
	script := "/sms numbers add +12065550001 20\n"
	for i := range contacts {
		to := fmt.Sprintf("+1425555%04d", i+1)
		want = append(want, to)
		script += fmt.Sprintf("/sms add crew %s\n", to)
	}
	script += "/sms send crew " + body + "\n/click approve:1\n"

	// Run 1 keeps its stdin open: it never reaches the end of input.
	run1 := &output{name: "run 1 (holder)"}
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
	var once sync.Once
	wait1 := func() { once.Do(func() { <-exited }) }
	t.Cleanup(func() {
		_ = cmd1.Process.Kill()
		wait1()
		if t.Failed() {
			run1.logTo(t)
		}
	})
	if _, err := stdin.Write([]byte(script)); err != nil {
		t.Fatalf("write script to smsbot: %v", err)
	}
	timeout := time.NewTimer(60 * time.Second) // a failsafe, not a pace
	defer timeout.Stop()
	select {
	case <-held:
	case err := <-exited:
		t.Fatalf("run 1 exited before sending: %v", err)
	case <-timeout.C:
		t.Fatalf("run 1 made %d create requests, want %d", creates.Load(), holdAt)
	}

	// Mid-broadcast, with a text in flight: a console and a serve refuse.
	for _, command := range []string{"console", "serve"} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // a failsafe
		var stdout, stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, bin, command, "-db", db)
		cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, strings.NewReader(""), &stdout, &stderr
		err := cmd.Run()
		cancel()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("second %s ended with %v, want exit status 1", command, err)
		}
		wantRefusal(t, "second "+command, stderr.String(), db, cmd1.Process.Pid)
		if stdout.Len() > 0 {
			t.Errorf("second %s printed %q", command, stdout.String())
		}
	}
	// Import takes no lock: short transactions, serialized by SQLite.
	csv := filepath.Join(dir, "late.csv")
	if err := os.WriteFile(csv, []byte("name,phone\nLin,+14255559999\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	imp := exec.Command(bin, "import", "-db", db, "-list", "late", csv)
	imp.Env = env
	if out, err := imp.CombinedOutput(); err != nil {
		t.Errorf("smsbot import while the console runs: %v\n%s", err, out)
	}

	// Run 1 is unaffected: its broadcast finishes, one text each.
	fake.Release()
	for n := len(fake.Outbound()); n < contacts; {
		select {
		case <-fake.Created():
			n = len(fake.Outbound())
		case err := <-exited:
			t.Fatalf("run 1 exited mid-broadcast: %v", err)
		case <-timeout.C:
			t.Fatalf("Twilio has %d of %d texts", len(fake.Outbound()), contacts)
		}
	}
	checkOnePerRecipient(t, fake, want, body)

	// SIGKILL leaves the lock file, naming run 1; it must not block.
	if err := cmd1.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	wait1()
	if stale, err := os.ReadFile(db + ".lock"); err != nil || !strings.Contains(string(stale), fmt.Sprintf(`"pid":%d`, cmd1.Process.Pid)) {
		t.Fatalf("lock file after SIGKILL = %q, %v; want it left behind, naming run 1", stale, err)
	}
	run3 := &output{name: "run 3 (after the kill)"}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd3 := exec.CommandContext(ctx, bin, "console", "-db", db)
	cmd3.Env, cmd3.Stdin = env, strings.NewReader("/sms status 1\n")
	cmd3.Stdout, cmd3.Stderr = &run3.stdout, &run3.stderr
	cmd3.WaitDelay = 5 * time.Second
	if err := cmd3.Run(); err != nil {
		run3.logTo(t)
		t.Fatalf("console after the kill: %v (context: %v)", err, ctx.Err())
	}
	if out := run3.stdout.String(); !strings.Contains(out, "smsbot console") || !strings.Contains(out, "finished") {
		run3.logTo(t)
		t.Errorf("console after the kill did not start or show broadcast #1 finished")
	}
	if _, err := os.Stat(db + ".lock"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file after a clean exit: %v, want it removed", err)
	}
	checkOnePerRecipient(t, fake, want, body)
}

// checkOnePerRecipient checks that Twilio has exactly one text with body
// to each of want, and none to anyone else.
func checkOnePerRecipient(t *testing.T, fake *twiliotest.Server, want []string, body string) {
	t.Helper()
	byTo := map[string]int{}
	for _, m := range fake.Outbound() {
		byTo[m.To]++
		if m.Body != body {
			t.Errorf("text to %s has body %q, want %q", m.To, m.Body, body)
		}
	}
	for _, to := range want {
		if byTo[to] != 1 {
			t.Errorf("%s got %d texts, want 1", to, byTo[to])
		}
		delete(byTo, to)
	}
	for to, n := range byTo {
		t.Errorf("%d texts to %s, who is not on the list", n, to)
	}
}
