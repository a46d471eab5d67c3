package discord_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"smsbot/bot/bottest"
)

// importing is /sms import list:crew attachment:<file at link>, with the
// attachment resolved as Discord sends it.
func (c *chat) importing(t *testing.T, user, link string) map[string]any {
	t.Helper()
	ix := c.command(t, user, staffID, "import crew")
	data := ix["data"].(map[string]any)
	sub := data["options"].([]any)[0].(map[string]any)
	sub["options"] = append(sub["options"].([]any), map[string]any{"name": "attachment", "type": 11, "value": "1311980000000000001"})
	data["resolved"] = map[string]any{"attachments": map[string]any{"1311980000000000001": map[string]any{
		"id": "1311980000000000001", "filename": "crew.csv", "size": len(crewCSV(t)), "content_type": "text/csv; charset=utf-8",
		"url": link, "proxy_url": strings.Replace(link, "/attachments/", "/media/", 1), "ephemeral": true,
	}}}
	return ix
}

func TestDiscordImportAttachment(t *testing.T) {
	c := newChat(t, bottest.Setup{Admins: []string{"alice"}})
	link := c.fake.share("crew.csv", crewCSV(t))
	c.cursor = c.fake.count()
	if code, body := c.deliver(t, c.importing(t, "alice", link)); code != http.StatusOK {
		t.Fatalf("import answered %d %s", code, body)
	}
	got := c.WaitFor(t, "Imported 2 contacts into crew")
	for _, want := range []string{"Skipped 1 invalid", `line 4: "555" too short`, "merge fields: team", "shown only to the person who asked, as crew.report.csv"} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	// The full report has phone numbers: it goes to the person who asked
	// alone, in an ephemeral follow-up, never in the channel.
	report := c.fake.waitFor(t, c.cursor, "Import report: crew.csv", "post", "followup")
	if r := report.files["crew.report.csv"]; !strings.Contains(r, "4,555,,Bad,invalid,too short") || report.kind != "followup" || !report.ephemeral {
		t.Fatalf("report attached as a %s (ephemeral %v):\n%s", report.kind, report.ephemeral, r)
	}
	c.noFilesInChannel(t)
	ada, err := c.core.Store.Contact(context.Background(), "+12065550100")
	if err != nil || ada.Name != "Ada Lovelace" || ada.Fields["team"] != "red" {
		t.Fatalf("Ada = %+v, %v", ada, err)
	}

	// A link elsewhere is refused before any request: no token, no fetch.
	c.cursor = c.fake.count()
	c.deliver(t, c.importing(t, "alice", "https://evil.example/attachments/1/2/crew.csv"))
	c.WaitFor(t, "only files uploaded to Discord")
	if n := c.fake.downloads(); n != 1 {
		t.Fatalf("%d downloads, want 1", n)
	}
	// An expired link is explained.
	c.cursor = c.fake.count()
	c.deliver(t, c.importing(t, "alice", c.fake.url()+"/attachments/expired/crew.csv"))
	c.WaitFor(t, "attach it again")
}

// noFilesInChannel fails the test if a file was posted in a channel, for
// every member to see.
func (c *chat) noFilesInChannel(t *testing.T) {
	t.Helper()
	shown, _ := c.fake.since(0)
	for _, s := range shown {
		if len(s.files) > 0 && (s.kind == "post" || s.kind == "edit" || !s.ephemeral) {
			t.Errorf("files %v shown to the whole channel in a %s", keys(s.files), s.kind)
		}
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A download tells its size, so the router refuses a file over its import
// limit (SMSBOT_MAX_IMPORT_BYTES) before reading it.
func TestDiscordDownloadTellsItsSize(t *testing.T) {
	c := newChat(t, bottest.Setup{})
	name, r, err := c.adapter.OpenAttachment(context.Background(), c.fake.share("crew.csv", crewCSV(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sized, ok := r.(interface{ Size() int64 })
	if name != "crew.csv" || !ok || sized.Size() != int64(len(crewCSV(t))) {
		t.Fatalf("download %s: Size %v (%v), want %d", name, sized, ok, len(crewCSV(t)))
	}
}
