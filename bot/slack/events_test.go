package slack_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot/bottest"
	botslack "smsbot/bot/slack"
)

// redeliver posts event to /slack/events as Slack redelivers it: the same
// body, with X-Slack-Retry-Num and X-Slack-Retry-Reason, signed anew a
// second later (a request signed the same is a replay, refused as such).
func (c *httpChat) redeliver(t *testing.T, event string, retry int) int {
	t.Helper()
	c.clock.Advance(time.Second)
	ts := strconv.FormatInt(c.clock.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, c.server.URL+"/slack/events", strings.NewReader(event))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", signed(ts, []byte(event)))
	req.Header.Set("X-Slack-Retry-Num", strconv.Itoa(retry))
	req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Slack redelivers a file_shared event it thinks was not acknowledged in
// time. By then the user may be importing another file: the redelivery is
// acknowledged and ignored, and the next upload goes where it was meant.
func TestSlackRedeliveredUploadIsIgnored(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	ctx := context.Background()
	c.fake.share("F0CREW", "crew.csv", crewCSV(t))
	c.fake.share("F0MORE", "more.csv", "phone\n+12065550199\n")
	c.Type(t, "U0ALICE", "import crew")
	c.WaitFor(t, "within 5 minutes")
	upload := fileShared(t, "U0ALICE", staffID, "F0CREW")
	c.cursor = c.fake.count()
	c.post(t, "/slack/events", upload, signed)
	c.WaitFor(t, "Imported 2 contacts into crew")

	c.Type(t, "U0ALICE", "import staff")
	c.WaitFor(t, "within 5 minutes")
	for retry := 1; retry <= 3; retry++ {
		if code := c.redeliver(t, upload, retry); code != http.StatusOK {
			t.Fatalf("redelivery %d answered %d, want 200 (or Slack keeps trying)", retry, code)
		}
	}
	c.cursor = c.fake.count()
	c.post(t, "/slack/events", fileShared(t, "U0ALICE", staffID, "F0MORE"), signed)
	c.WaitFor(t, "Imported 1 contact into staff")
	c.adapter.Close()
	if _, downloads := c.fake.report(""); downloads != 2 {
		t.Fatalf("%d downloads, want 2: a redelivered upload was imported again", downloads)
	}
	for list, want := range map[string]int{"crew": 2, "staff": 1} {
		if l, err := c.store.ListByName(ctx, list); err != nil || l.Members != want {
			t.Fatalf("%s = %+v, %v; want %d members", list, l, err, want)
		}
	}
}

// A redelivered staff reply is not texted twice.
func TestSlackRedeliveredThreadReplyIsTextedOnce(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	ctx := context.Background()
	c.Type(t, "U0ALICE", "numbers add +12065550101 50")
	c.WaitFor(t, "Added")
	c.Type(t, "U0ALICE", "add crew +12065550001 Ada")
	c.WaitFor(t, "to crew")
	contact, err := c.store.Contact(ctx, "+12065550001")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.store.SetThread(ctx, contact.ID, botslack.Platform, "1764300000.000900"); err != nil {
		t.Fatal(err)
	}
	event := threadReply(t, "1764300000.000900", "Room C")
	c.cursor = c.fake.count()
	c.post(t, "/slack/events", event, signed)
	c.WaitFor(t, "texted Ada")
	if code := c.redeliver(t, event, 1); code != http.StatusOK {
		t.Fatalf("redelivery answered %d", code)
	}
	c.adapter.Close()
	if sent := c.sim.Sent(); len(sent) != 1 {
		t.Fatalf("%d texts for one reply: %+v", len(sent), sent)
	}
}

// A redelivery of an event whose first delivery never arrived (lost, or
// before a restart) is handled.
func TestSlackRedeliveryOfAnUnseenEventIsHandled(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	c.fake.share("F0CREW", "crew.csv", crewCSV(t))
	c.Type(t, "U0ALICE", "import crew")
	c.WaitFor(t, "within 5 minutes")
	c.cursor = c.fake.count()
	if code := c.redeliver(t, fileShared(t, "U0ALICE", staffID, "F0CREW"), 2); code != http.StatusOK {
		t.Fatalf("redelivery answered %d", code)
	}
	c.WaitFor(t, "Imported 2 contacts into crew")
}

// In Socket Mode a redelivery comes in a new envelope with retry_attempt:
// it is acknowledged, and ignored when its event was handled.
func TestSlackSocketModeRedeliveryIsIgnored(t *testing.T) {
	fake := newSlackFake(t, clockwork.NewRealClock())
	c := bottest.NewCore(t, bottest.Setup{Admins: []string{"U0ALICE"}}, nil)
	startSocket(t, fake, c.Router)
	fake.share("F0CREW", "crew.csv", crewCSV(t))
	fake.share("F0MORE", "more.csv", "phone\n+12065550199\n")
	send := func(id, typ string, payload any, want string) {
		t.Helper()
		from := fake.count()
		fake.srv.SendToWebsocket(envelope(t, id, typ, payload))
		acked(t, fake, id)
		if want != "" {
			fake.waitFor(t, from, want)
		}
	}
	command := func(text string) map[string]any {
		return map[string]any{"command": "/sms", "text": text, "user_id": "U0ALICE", "channel_id": staffID, "team_id": "T0EVENT"}
	}
	// The recorded envelope is a redelivery (retry_attempt 1); its first
	// delivery is the same event in an envelope without one.
	var redelivery map[string]any
	if err := json.Unmarshal(fixture(t, "events_api_envelope.json"), &redelivery); err != nil {
		t.Fatal(err)
	}
	event := redelivery["payload"]
	send("env-1", "slash_commands", command("import crew"), "within 5 minutes")
	send("env-2", "events_api", event, "Imported 2 contacts into crew")
	send("env-3", "slash_commands", command("import staff"), "within 5 minutes")

	redelivery["envelope_id"] = "env-4"
	raw, err := json.Marshal(redelivery)
	if err != nil {
		t.Fatal(err)
	}
	fake.srv.SendToWebsocket(string(raw))
	acked(t, fake, "env-4")

	more := strings.NewReplacer("F0CREW", "F0MORE", "Ev0FILESHARED1", "Ev0FILESHARED2")
	b, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}
	send("env-5", "events_api", json.RawMessage(more.Replace(string(b))), "Imported 1 contact into staff")
	if _, downloads := fake.report(""); downloads != 2 {
		t.Fatalf("%d downloads, want 2: the redelivered upload was imported again", downloads)
	}
}
