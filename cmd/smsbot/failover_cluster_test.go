//go:build unix

package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"smsbot/broadcast/latency"
	"smsbot/broadcast/twilio/twiliotest"
	"smsbot/store/storetest"
)

// The failover tests' setting (issue 15): ten senders at 20 segments/s,
// 3,000 contacts, Twilio answering in 50 ms.
const (
	foSenders  = 10
	foRate     = 20 // segments/s per sender
	foContacts = 3000
	foBody     = "Doors open at 7pm" // one segment
	foLatency  = 50 * time.Millisecond
	foTTL      = 10 * time.Second // the sender leases' TTL
	foSecret   = "failover-signing-secret"
	foAdmin    = "U0ALICE" // the user of testdata/slack's payloads
	foChannel  = "C0STAFF"
	// foIdeal is the broadcast's time at full rate: 3000/(10·20) = 15 s.
	foIdeal = foContacts * time.Second / (foSenders * foRate)
)

// cluster is several `smsbot serve` replicas on one PostgreSQL schema,
// one Twilio fake (each replica through its own tap) and one Slack fake.
type cluster struct {
	t        testing.TB
	dir, dsn string
	fake     *twiliotest.Server
	tap      *twilioTap
	slack    *slackAPI
	slackURL string
	replicas []*serveProc
	senders  []string
	contacts []string

	stored int             // outbound texts taken from fake.Created
	seen   map[string]bool // their recipients
}

// newCluster seeds a fresh schema (senders through the console, contacts
// through smsbot import) and starts n replicas on it.
func newCluster(t testing.TB, n int) *cluster {
	t.Helper()
	c := &cluster{t: t, dir: t.TempDir(), dsn: storetest.Postgres(t), seen: map[string]bool{}}
	c.fake = twiliotest.NewServer(twiliotest.Config{Latency: latency.Constant(foLatency)})
	t.Cleanup(c.fake.Close)
	c.tap = newTwilioTap(t, c.fake, n)
	c.slack = newSlackAPI()
	slackSrv := httptest.NewServer(c.slack)
	t.Cleanup(slackSrv.Close)
	c.slackURL = slackSrv.URL
	c.seed()
	for i := range n {
		env := childEnv(
			"SMSBOT_DB="+c.dsn,
			"TWILIO_ACCOUNT_SID="+c.fake.AccountSID(), "TWILIO_AUTH_TOKEN="+c.fake.AuthToken(),
			"TWILIO_API_URL="+c.tap.url(i),
			"SLACK_BOT_TOKEN=xoxb-failover", "SLACK_SIGNING_SECRET="+foSecret,
			"SLACK_API_URL="+c.slackURL+"/api/", "SMSBOT_ADMINS="+foAdmin,
			// As replicas are run: commands in the staff channel only, and
			// there each replica adopts progress messages no one edits.
			"SLACK_STAFF_CHANNEL="+foChannel,
		)
		c.replicas = append(c.replicas, startServeProc(t, fmt.Sprintf("replica%d", i), c.dir, env, 30*time.Second))
	}
	return c
}

// seed adds the senders with a console script and the contacts with
// smsbot import, both against the cluster's DSN, before any replica runs.
func (c *cluster) seed() {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var script strings.Builder
	for i := range foSenders {
		s := fmt.Sprintf("+1206555%04d", i+1)
		c.senders = append(c.senders, s)
		fmt.Fprintf(&script, "/sms numbers add %s %d\n", s, foRate)
	}
	console := exec.CommandContext(ctx, smsbotBinary(c.t), "console", "-db", c.dsn)
	console.Dir = c.dir // its smsbot.log goes in the working directory
	console.Env = childEnv()
	console.Stdin = strings.NewReader(script.String())
	if out, err := console.CombinedOutput(); err != nil {
		c.t.Fatalf("seeding senders: %v\n%s", err, out)
	}
	csv := "name,phone\n"
	for i := range foContacts {
		to := fmt.Sprintf("+1425555%04d", i+1)
		c.contacts = append(c.contacts, to)
		csv += fmt.Sprintf("Guest %d,%s\n", i+1, to)
	}
	path := filepath.Join(c.dir, "crew.csv")
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		c.t.Fatal(err)
	}
	imp := exec.CommandContext(ctx, smsbotBinary(c.t), "import", "-db", c.dsn, "-list", "crew", path)
	imp.Dir = c.dir
	imp.Env = childEnv()
	out, err := imp.CombinedOutput()
	if err != nil || !strings.Contains(string(out), fmt.Sprintf("%d new", foContacts)) {
		c.t.Fatalf("importing %d contacts: %v\n%s", foContacts, err, out)
	}
}

var approveAction = regexp.MustCompile(`"action_id":"(approve:\d+)"`)

// approve asks replica 0 over the signed slash command to send foBody to
// the list, and presses the preview's Approve button there. It returns
// the preview's ts (the progress message) and the time of the press.
func (c *cluster) approve() (string, time.Time) {
	c.t.Helper()
	base := c.replicas[0].base
	slashCommand(c.t, base, foSecret, "send crew "+foBody, c.slackURL+"/response/command")
	preview := c.slack.waitCall(c.t, "preview with an Approve button", 30*time.Second, func(s slackCall) bool {
		return s.method == "chat.postMessage" && approveAction.MatchString(s.blocks)
	})
	if preview.channel != foChannel || !strings.Contains(preview.text, "waiting for approval") {
		c.t.Fatalf("preview in %s: %q", preview.channel, preview.text)
	}
	at := time.Now()
	clickButton(c.t, base, foSecret, foChannel, preview.ts, approveAction.FindStringSubmatch(preview.blocks)[1],
		c.slackURL+"/response/click")
	return preview.ts, at
}

// waitStored waits until done says enough outbound texts are stored, and
// reports whether that was before deadline.
func (c *cluster) waitStored(deadline time.Time, done func() bool) bool {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for !done() {
		select {
		case m := <-c.fake.Created():
			c.stored++
			c.seen[m.To] = true
		case <-timer.C:
			return false
		}
	}
	return true
}

// mustStore is waitStored failing the test at deadline.
func (c *cluster) mustStore(what string, deadline time.Time, done func() bool) {
	c.t.Helper()
	if !c.waitStored(deadline, done) {
		c.t.Fatalf("%s: Twilio stored %d texts to %d of %d recipients by the deadline", what, c.stored, len(c.seen), foContacts)
	}
}

// busiest returns the replica other than replica 0 (which got the
// approval and shows the progress: killProgress is the scenario for it)
// that sent from the most numbers in the last second, so the one holding
// the most senders; replica 0 only when it is the only one.
func (c *cluster) busiest() int {
	sent, recent := c.tap.sent(), time.Now().Add(-time.Second)
	best, most := 0, -1
	for i := 1; i < len(c.replicas); i++ {
		if n := len(sentFrom(sent, i, recent)); n > most {
			best, most = i, n
		}
	}
	return best
}

// terminateAll stops every replica still running with SIGTERM, each must
// exit 0, so that nothing is sent or edited after the checks begin.
func (c *cluster) terminateAll(except int) {
	c.t.Helper()
	for i, r := range c.replicas {
		if i != except {
			r.terminate(30 * time.Second)
		}
	}
}
