//go:build unix

package main

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fault is what a failover scenario does to one replica mid-send.
type fault int

const (
	noFault      fault = iota
	killBusiest        // SIGKILL the replica other than 0 holding the most senders
	killProgress       // SIGKILL replica 0, which got the approval and shows the progress
	stopBusiest        // SIGSTOP that replica for stopFor, then SIGCONT
)

// stopFor is how long stopBusiest keeps the replica stopped: three TTLs.
const stopFor = 30 * time.Second

// outcome is what a scenario measured.
type outcome struct {
	finish   time.Duration // from the approval to the last text stored
	failover time.Duration // from the fault to the first text from one of the victim's numbers by another replica
	allMoved time.Duration // … to the last of the victim's numbers to get a new owner
}

// runFailover runs one broadcast of foContacts texts on n replicas
// (newCluster) with f done to one of them once a third of the texts are
// stored, and checks issue 15's four promises:
//   - every recipient gets exactly one text;
//   - no number goes over its rate in any 1 s window, across all replicas
//     (checkRates says how the window is counted);
//   - the broadcast finishes within foIdeal + foTTL + 5 s of the approval,
//     whatever the fault: in a stop the others take over after the TTL, and
//     the stopped replica sends nothing more when it resumes;
//   - the progress message ends with exactly one summary, with the counts.
//
// Each replica's log is in a file under t.TempDir(), its tail printed on
// failure. The scenarios take 20–40 s each; run them a few times, not 20:
//
//	SMSBOT_TEST_POSTGRES=postgres://… go test ./cmd/smsbot/ -run TestFailover -count=3 -v
func runFailover(t testing.TB, n int, f fault) outcome {
	t.Helper()
	c := newCluster(t, n)
	progress, approvedAt := c.approve()
	failsafe := approvedAt.Add(foIdeal + foTTL + 5*time.Second + 30*time.Second) // report, do not hang

	victim, faultAt, contAt := -1, time.Time{}, time.Time{}
	var held map[string]bool // the victim's numbers at the fault
	finishedStopped := false // every recipient had a text before SIGCONT
	if f != noFault {
		c.mustStore("a third of the texts", failsafe, func() bool { return c.stored >= foContacts/3 })
		victim = c.busiest()
		if f == killProgress {
			victim = 0
		}
		held = sentFrom(c.tap.sent(), victim, time.Now().Add(-time.Second))
		if f == stopBusiest {
			c.replicas[victim].signal(syscall.SIGSTOP)
		} else {
			c.replicas[victim].signal(syscall.SIGKILL)
		}
		faultAt = time.Now()
		t.Logf("%v %s (it sent from %d numbers in the last second) after %d texts, %v after the approval",
			map[bool]string{true: "SIGSTOP", false: "SIGKILL"}[f == stopBusiest], c.replicas[victim].name, len(held),
			c.stored, faultAt.Sub(approvedAt).Round(time.Millisecond))
		if f != stopBusiest {
			c.replicas[victim].killed(10 * time.Second)
		}
	}
	all := func() bool { return len(c.seen) == foContacts }
	if f == stopBusiest {
		// The others should finish while the victim is stopped; whether
		// they do or not, it is continued once stopFor has passed.
		finishedStopped = c.waitStored(faultAt.Add(stopFor), all)
		pause := time.NewTimer(time.Until(faultAt.Add(stopFor)))
		<-pause.C // the fault's own length: nothing else to wait for
		c.replicas[victim].signal(syscall.SIGCONT)
		contAt = time.Now()
		if err := c.replicas[victim].healthy(10 * time.Second); err != nil {
			t.Errorf("%s after SIGCONT: %v", c.replicas[victim].name, err)
		}
	}
	c.mustStore("every recipient", failsafe, all)
	summaryOf := func(s slackCall) bool { return strings.Contains(s.text, ": finished") }
	summary := c.slack.waitCall(t, "summary", 30*time.Second, func(s slackCall) bool {
		return s.method == "chat.update" && s.ts == progress && summaryOf(s)
	})
	t.Logf("summary shown %v after the approval", summary.at.Sub(approvedAt).Round(time.Millisecond))
	stopping := time.Now()
	if f == killBusiest || f == killProgress {
		c.terminateAll(victim)
	} else {
		c.terminateAll(-1) // a continued replica too: it must exit 0
	}

	t.Logf("replicas stopped in %v", time.Since(stopping).Round(time.Millisecond))
	var out outcome
	msgs := c.fake.Outbound()
	checkOnce(t, msgs, c.contacts, c.senders, foBody)
	checkRates(t, msgs, c.tap.sent(), c.senders, foRate)
	for _, m := range msgs {
		out.finish = max(out.finish, m.Arrived.Sub(approvedAt))
	}
	if bound := foIdeal + foTTL + 5*time.Second; out.finish > bound {
		timingFailed(t, "the last text was stored %v after the approval, want at most %v (ideal %v + TTL %v + 5 s)",
			out.finish.Round(time.Millisecond), bound, foIdeal, foTTL)
	}
	checkSummary(t, c.slack.snapshot(), progress, foContacts)

	if victim >= 0 {
		creates := c.tap.sent()
		moved := takeover(creates, held, victim, faultAt)
		for s := range held {
			if _, ok := moved[s]; !ok {
				t.Errorf("%s sent from %s before the fault; no other replica sent from it after", c.replicas[victim].name, s)
			}
		}
		out.failover = -1
		for _, at := range moved {
			d := at.Sub(faultAt)
			if out.failover < 0 || d < out.failover {
				out.failover = d
			}
			out.allMoved = max(out.allMoved, d)
		}
		if !contAt.IsZero() {
			late := 0
			for _, x := range creates {
				if x.replica == victim && x.at.After(contAt) {
					late++
				}
			}
			t.Logf("%s sent %d create requests after SIGCONT", c.replicas[victim].name, late)
			if finishedStopped && late > 0 {
				// Nothing was left to send: whatever it sent, it sent on a lease it had lost.
				t.Errorf("%s sent %d texts after SIGCONT, when the others had finished the broadcast", c.replicas[victim].name, late)
			}
		}
		t.Logf("failover: first text from a number of %s by a new owner %v after the fault; all %d of its numbers moved within %v",
			c.replicas[victim].name, out.failover.Round(time.Millisecond), len(moved), out.allMoved.Round(time.Millisecond))
	}
	t.Logf("finished %v after the approval (ideal %v); %d texts stored", out.finish.Round(time.Millisecond), foIdeal, len(msgs))
	return out
}

// checkSummary checks that the progress message (the preview, edited in
// place) ends with exactly one summary, that it is the message's last
// edit and has the counts, and that no other message has one.
func checkSummary(t testing.TB, calls []slackCall, progress string, sent int) {
	t.Helper()
	var edits []slackCall
	summaries := 0
	for _, s := range calls {
		if strings.Contains(s.text, ": finished") || strings.Contains(s.text, ": cancelled") {
			summaries++
			if s.method != "chat.update" || s.ts != progress {
				t.Errorf("a summary in a %s of %s/%s, not an edit of the progress message %s: %q", s.method, s.channel, s.ts, progress, s.text)
			}
		}
		if s.method == "chat.update" && s.ts == progress {
			edits = append(edits, s)
		}
	}
	if summaries != 1 {
		t.Errorf("%d summaries, want exactly 1; Slack calls:\n%s", summaries, describeCalls(calls))
	}
	if len(edits) == 0 {
		return
	}
	last := edits[len(edits)-1].text
	want := fmt.Sprintf("Sent %d, failed 0, skipped 0 of %d", sent, sent)
	if !strings.Contains(last, ": finished") || !strings.Contains(last, want) {
		t.Errorf("the progress message ends with %q, want the summary with %q", last, want)
	}
}

// timingFailed reports a missed timing bound (a finish time, a rate
// window): an error, except under -race, where it is only logged. The race
// build runs every replica and this test several times slower, on two
// cores shared with PostgreSQL (measured: 30.8 s to finish, 27 texts of
// one sender in a 1 s window from one replica); it is there for data
// races, and CI's runs without it (go test -count=3) hold the bounds.
func timingFailed(t testing.TB, format string, args ...any) {
	t.Helper()
	if raceEnabled() {
		t.Logf("under -race, not failing: "+format, args...)
		return
	}
	t.Errorf(format, args...)
}

// skipShort skips the long end-to-end failover scenarios under -short,
// and under -race: three race-instrumented servers on two cores take a
// minute each and cannot hold the timing bounds (see timingFailed). The
// replicas' data races are the in-process replica tests' job
// (broadcast/replicas_test.go, cmd/smsbot/replicas_test.go); .ci/run
// runs these once without -race.
func skipShort(t testing.TB) {
	if testing.Short() {
		t.Skip("runs several smsbot serve processes on PostgreSQL for tens of seconds")
	}
	if raceEnabled() {
		t.Skip("under -race the failover scenarios only slow everything down; .ci/run runs them without it")
	}
}

// TestFailoverOneReplica is the harness on one replica and no fault: the
// same checks hold on PostgreSQL without any failover.
func TestFailoverOneReplica(t *testing.T) {
	skipShort(t)
	runFailover(t, 1, noFault)
}

// TestFailoverSIGKILL: three replicas; the one holding the most senders is
// killed mid-send and the others finish the broadcast.
func TestFailoverSIGKILL(t *testing.T) {
	skipShort(t)
	runFailover(t, 3, killBusiest)
}

// TestFailoverSIGKILLProgress: three replicas; the one that got the
// approval and edits the progress message is killed mid-send. Another
// replica finishes the broadcast and the message.
func TestFailoverSIGKILLProgress(t *testing.T) {
	skipShort(t)
	runFailover(t, 3, killProgress)
}

// TestFailoverSIGSTOP: three replicas; the one holding the most senders is
// stopped for 30 s mid-send (past its leases' TTL) and then continued:
// the others finish the broadcast, and the continued one sends nothing
// twice.
func TestFailoverSIGSTOP(t *testing.T) {
	skipShort(t)
	runFailover(t, 3, stopBusiest)
}

// BenchmarkFailover runs the SIGKILL scenario once per b.N and reports the
// time from the SIGKILL to the first text sent from one of the killed
// replica's numbers by a new owner (failover-s), and to the last of its
// numbers moved (all-moved-s), for docs/BENCHMARKS.md:
//
//	go test ./cmd/smsbot/ -run '^$' -bench Failover -benchtime 3x
func BenchmarkFailover(b *testing.B) {
	var first, all time.Duration
	for range b.N {
		out := runFailover(b, 3, killBusiest)
		first += out.failover
		all += out.allMoved
	}
	b.ReportMetric(first.Seconds()/float64(b.N), "failover-s")
	b.ReportMetric(all.Seconds()/float64(b.N), "all-moved-s")
}
