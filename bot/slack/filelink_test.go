package slack_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"smsbot/bot/bottest"
	botslack "smsbot/bot/slack"
	"smsbot/broadcast"
)

// A link to import must be Slack's own: https, files.slack.com exactly,
// no port, no user name. Anything else is refused before any request, so
// the bot token goes nowhere else and never in clear.
func TestSlackImportRefusesLinksThatAreNotSlacksFiles(t *testing.T) {
	var trapped atomic.Int32 // requests to a host that is not Slack's
	trap := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { trapped.Add(1) }))
	defer trap.Close()
	trapHost := strings.TrimPrefix(trap.URL, "http://")
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	c.fake.share("F0CREW", "crew.csv", crewCSV(t))
	path := "/files-pri/T0EVENT-F0CREW/crew.csv"
	for _, link := range []string{
		"http://files.slack.com" + path,
		"<http://files.slack.com" + path + "|crew.csv>",
		"https://files.slack.com:8443" + path,
		"https://files.slack.com:443" + path,
		"https://user@files.slack.com" + path,
		"https://user:secret@files.slack.com" + path,
		"https://files.slack.com.evil.example" + path,
		"https://evil.example" + path,
		"https://evil.example/?u=https://files.slack.com" + path,
		"https://" + trapHost + path,
		"http://" + trapHost + path,
		"ftp://files.slack.com" + path,
		"//files.slack.com" + path,
		"files.slack.com" + path,
		"https:files.slack.com" + path,
	} {
		c.Type(t, "U0ALICE", "import crew "+link)
		got := c.WaitFor(t, "only files uploaded to Slack")
		if !strings.Contains(got, "https://files.slack.com/… links") {
			t.Errorf("%s: answered %q", link, got)
		}
	}
	if _, downloads := c.fake.report(""); downloads != 0 || trapped.Load() != 0 {
		t.Fatalf("%d downloads from Slack, %d requests elsewhere for refused links", downloads, trapped.Load())
	}
	if _, err := c.store.ListByName(context.Background(), "crew"); broadcast.ErrorCode(err) != broadcast.ENOTFOUND {
		t.Fatalf("a refused link was imported: %v", err)
	}
	c.Type(t, "U0ALICE", "import crew <https://files.slack.com"+path+"|crew.csv>")
	c.WaitFor(t, "Imported 2 contacts into crew")
}

// A file over the size limit is refused with one line that says what to
// do: by its size in Slack before it is downloaded, by its Content-Length,
// or, when the download does not say, once more than the limit was read.
func TestSlackImportRefusesFilesOverTheLimit(t *testing.T) {
	const limit = 1024
	c := newHTTPChatOpts(t, bottest.Setup{Admins: []string{"U0ALICE"}}, chatOptions{config: func(cfg *botslack.Config) {
		cfg.MaxImportBytes = limit
	}})
	big := "phone,name\n" + strings.Repeat("+12065550100,Ada Lovelace\n", 100) // 2,611 bytes
	link := c.fake.share("F0BIG", "crew.csv", big)
	want := "the file is 2.6 KiB; the limit is 1 KiB (SMSBOT_MAX_IMPORT_BYTES)"

	c.Type(t, "U0ALICE", "import crew")
	c.WaitFor(t, "within 5 minutes")
	c.cursor = c.fake.count()
	c.post(t, "/slack/events", fileShared(t, "U0ALICE", staffID, "F0BIG"), signed)
	oneLine(t, c.WaitFor(t, "the limit is 1 KiB"), want)
	if _, downloads := c.fake.report(""); downloads != 0 {
		t.Fatalf("%d downloads of a file Slack said was too big", downloads)
	}

	c.Type(t, "U0ALICE", "import crew <"+link+">")
	oneLine(t, c.WaitFor(t, "the limit is 1 KiB"), want)

	c.fake.mu.Lock()
	c.fake.chunked = true // no Content-Length
	c.fake.mu.Unlock()
	c.Type(t, "U0ALICE", "import crew <"+link+">")
	oneLine(t, c.WaitFor(t, "the limit is 1 KiB"), "the file is more than 1 KiB; the limit is 1 KiB (SMSBOT_MAX_IMPORT_BYTES)")
	if _, err := c.store.ListByName(context.Background(), "crew"); broadcast.ErrorCode(err) != broadcast.ENOTFOUND {
		t.Fatalf("a file over the limit was imported: %v", err)
	}

	// Just at the limit, the same way, it is imported.
	c.fake.share("F0FITS", "fits.csv", big[:strings.LastIndex(big[:limit], "\n")+1])
	c.Type(t, "U0ALICE", "import crew <"+fileLink("F0FITS", "fits.csv")+">")
	c.WaitFor(t, "Imported 1 contact into crew")
}

// oneLine fails unless got is the one line "⚠️ " + want.
func oneLine(t *testing.T, got, want string) {
	t.Helper()
	if got != "⚠️ "+want {
		t.Fatalf("answered %q, want %q", got, "⚠️ "+want)
	}
}
