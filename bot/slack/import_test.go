package slack_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"smsbot/bot/bottest"
	"smsbot/broadcast"
)

// fileShared is the event of user sharing file fileID in channel, as
// recorded in testdata, with an event ID of its own.
func fileShared(t *testing.T, user, channel, fileID string) string {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(fixture(t, "file_shared_event.json"), &ev); err != nil {
		t.Fatal(err)
	}
	inner := ev["event"].(map[string]any)
	inner["user_id"], inner["channel_id"], inner["file_id"] = user, channel, fileID
	inner["file"] = map[string]any{"id": fileID}
	ev["event_id"] = "Ev" + user + fileID
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSlackImportByUpload(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE", "U0BOB"}})
	c.fake.share("F0CREW", "crew.csv", crewCSV(t))
	c.Type(t, "U0ALICE", "import crew")
	c.WaitFor(t, "Upload the CSV file to this channel within 5 minutes")

	// Another user's upload is not Alice's file.
	c.cursor = c.fake.count()
	if code := c.post(t, "/slack/events", fileShared(t, "U0BOB", staffID, "F0CREW"), signed); code != http.StatusOK {
		t.Fatalf("event answered %d", code)
	}
	c.cursor = c.fake.count()
	c.post(t, "/slack/events", fileShared(t, "U0ALICE", staffID, "F0CREW"), signed)
	got := c.WaitFor(t, "Imported 2 contacts into crew")
	for _, want := range []string{"Skipped 1 invalid", `line 4: "555" too short`, "merge fields: team", "sent to you in a direct message as crew.report.csv"} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	report, downloads := c.fake.report("crew.report.csv")
	if !strings.Contains(report, "4,555,,Bad,invalid,too short") || downloads != 1 {
		t.Fatalf("uploaded report (%d downloads):\n%s", downloads, report)
	}
	if in := c.fake.sharedIn("crew.report.csv"); in != "D0ALICE" {
		t.Fatalf("the report went to %q, not to Alice's direct message", in)
	}
	ada, err := c.store.Contact(context.Background(), "+12065550100")
	if err != nil || ada.Name != "Ada Lovelace" || ada.Fields["team"] != "red" {
		t.Fatalf("Ada = %+v, %v", ada, err)
	}

	// One command, one file: a second upload is not imported.
	c.fake.share("F0MORE", "more.csv", "phone\n+12065550199\n")
	c.post(t, "/slack/events", fileShared(t, "U0ALICE", staffID, "F0MORE"), signed)
	c.adapter.Close() // wait for the event's handling
	if l, err := c.store.ListByName(context.Background(), "crew"); err != nil || l.Members != 2 {
		t.Fatalf("crew = %+v, %v", l, err)
	}
}

func TestSlackImportWindowCloses(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	c.fake.share("F0CREW", "crew.csv", crewCSV(t))
	c.Type(t, "U0ALICE", "import crew")
	c.WaitFor(t, "within 5 minutes")
	c.clock.Advance(5*time.Minute + time.Second)
	c.post(t, "/slack/events", fileShared(t, "U0ALICE", staffID, "F0CREW"), signed)
	c.adapter.Close() // wait for the event's handling
	if _, err := c.store.ListByName(context.Background(), "crew"); broadcast.ErrorCode(err) != broadcast.ENOTFOUND {
		t.Fatalf("an upload after the window was imported: %v", err)
	}
	if _, downloads := c.fake.report(""); downloads != 0 {
		t.Fatalf("%d downloads after the window", downloads)
	}
}

func TestSlackImportByLink(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	link := c.fake.share("F0CREW", "crew.csv", crewCSV(t))
	c.Type(t, "U0ALICE", "import crew <"+link+">")
	c.WaitFor(t, "Imported 2 contacts into crew")

	c.Type(t, "U0ALICE", "import crew https://evil.example/crew.csv")
	c.WaitFor(t, "only files uploaded to Slack")
	if _, downloads := c.fake.report(""); downloads != 1 {
		t.Fatalf("%d downloads: the token went to another host?", downloads)
	}
}

func TestSlackStatsAttachesChartAndExport(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	c.Type(t, "U0ALICE", "numbers add +12065550101 50")
	c.WaitFor(t, "Added")
	c.Type(t, "U0ALICE", "add crew +12065550001 Ada")
	c.WaitFor(t, "to crew")
	c.Type(t, "U0ALICE", "send crew Dinner")
	c.WaitFor(t, "waiting for approval")
	c.Click(t, "U0ALICE", "Approve")
	c.WaitFor(t, "finished")
	c.Type(t, "U0ALICE", "stats 1")
	got := c.WaitFor(t, "Broadcast #1 to crew: completed")
	if !strings.Contains(got, "sent to you in a direct message as broadcast-1.png") {
		t.Fatalf("stats:\n%s", got)
	}
	if png, _ := c.fake.report("broadcast-1.png"); !strings.HasPrefix(png, "\x89PNG") {
		t.Fatal("the chart uploaded is not a PNG")
	}
	c.Type(t, "U0ALICE", "export 1")
	c.WaitFor(t, "one line per recipient: sent to you in a direct message")
	// The export holds every recipient's number: it goes to the person who
	// asked, never to the channel.
	shared := c.fake.shared()
	if len(shared) != 2 {
		t.Fatalf("files shared: %v, want the chart and the export", shared)
	}
	for name, in := range shared {
		if in != "D0ALICE" {
			t.Errorf("%s went to %q, not to Alice's direct message", name, in)
		}
		if csv, _ := c.fake.report(name); strings.HasSuffix(name, ".csv") && !strings.Contains(csv, "+12065550001") {
			t.Errorf("export %s:\n%s", name, csv)
		}
	}
}
