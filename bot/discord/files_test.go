package discord_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"smsbot/bot"
	"smsbot/bot/bottest"
)

// unzip reads the one file of a zip archive.
func unzip(t *testing.T, data string) (name, content string) {
	t.Helper()
	zr, err := zip.NewReader(strings.NewReader(data), int64(len(data)))
	if err != nil || len(zr.File) != 1 {
		t.Fatalf("not a zip of one file: %v (%d files)", err, len(zr.File))
	}
	r, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return zr.File[0].Name, string(b)
}

// attached returns the files shown from index from on, by name, and the
// messages that carried them.
func (c *chat) attached(from int) (map[string]string, []shown) {
	files, carriers := map[string]string{}, []shown(nil)
	got, _ := c.fake.since(from)
	for _, s := range got {
		for name, content := range s.files {
			files[name] = content
		}
		if len(s.files) > 0 {
			carriers = append(carriers, s)
		}
	}
	return files, carriers
}

// interaction is a command's interaction as the adapter gets it, for
// tests that call its conversation directly.
func (c *chat) interaction(t *testing.T) *discordgo.Interaction {
	t.Helper()
	var i discordgo.Interaction
	b, _ := json.Marshal(c.command(t, "alice", staffID, "export 1"))
	if err := json.Unmarshal(b, &i); err != nil {
		t.Fatal(err)
	}
	return &i
}

// /sms export holds every recipient's number: only the person who asked
// gets the file, in an ephemeral follow-up, and the channel is told where
// it went. The same for an import's report (TestDiscordImportAttachment).
func TestDiscordExportGoesToTheAskerAlone(t *testing.T) {
	c := newChat(t, bottest.Setup{Admins: []string{"alice"}})
	withCrew(t, c)
	c.Type(t, "alice", "send crew Dinner")
	c.WaitFor(t, "waiting for approval")
	c.Click(t, "alice", "Approve")
	c.WaitFor(t, "finished")
	c.Type(t, "alice", "export 1")
	c.WaitFor(t, "shown only to the person who asked")
	files, carriers := c.attached(c.cursor)
	if len(carriers) != 1 || carriers[0].kind != "followup" || !carriers[0].ephemeral {
		t.Fatalf("the export was shown in %+v", carriers)
	}
	for name, content := range files {
		if !strings.HasPrefix(name, "broadcast-1-") || !strings.Contains(content, "+12065550001") {
			t.Fatalf("export %s:\n%s", name, content)
		}
	}
	c.noFilesInChannel(t)
}

// A file over Discord's upload limit (10 MiB without boosts; the fake
// refuses more with 413, as Discord does) is zipped, and the message says
// so. An export is about 73 bytes a recipient: 180,000 recipients are
// 13 MB (these lines are longer).
func TestDiscordBigExportIsZipped(t *testing.T) {
	c := newChat(t, bottest.Setup{})
	var csv strings.Builder
	csv.WriteString("number,name,sender,status,error_code,error_text,sent_at,delivered_at\n")
	for i := range 180000 {
		fmt.Fprintf(&csv, "+1206%07d,Guest %d,+12065550101,delivered,,,2026-12-01T18:45:%02dZ,2026-12-01T18:46:%02dZ\n", i, i, i%60, i%60)
	}
	data := csv.String()
	if len(data) <= 10<<20 {
		t.Fatalf("the export is %d bytes, not over the limit", len(data))
	}
	from := c.fake.count()
	conv := c.adapter.Interaction(c.interaction(t), 10<<20)
	where, err := conv.(bot.Attacher).Attach(context.Background(), "broadcast-1.csv", []byte(data), "Outcome of each text")
	if err != nil {
		t.Fatalf("Attach: %v", err)
	}
	files, carriers := c.attached(from)
	z, ok := files["broadcast-1.csv.zip"]
	if !ok || len(files) != 1 || len(z) > 10<<20 || !carriers[0].ephemeral {
		t.Fatalf("attached %d files (%v), ephemeral %v", len(files), len(z), carriers[0].ephemeral)
	}
	if name, content := unzip(t, z); name != "broadcast-1.csv" || content != data {
		t.Fatalf("the zip holds %s of %d bytes, want the export's %d", name, len(content), len(data))
	}
	for _, s := range []string{where, carriers[0].text} {
		if !strings.Contains(s, fmt.Sprintf("zipped: %.1f MB is over Discord's 10 MiB upload limit", float64(len(data))/1e6)) {
			t.Errorf("%q does not say it was zipped and why", s)
		}
	}
}

// A file that is over the limit even zipped is split at line ends into
// zipped parts under it, each CSV part with the header.
func TestDiscordHugeFileIsSplitIntoParts(t *testing.T) {
	c := newChat(t, bottest.Setup{})
	const limit = 1 << 20
	c.fake.mu.Lock()
	c.fake.uploadLimit = limit
	c.fake.mu.Unlock()
	header := "number,name\n"
	var body strings.Builder
	for body.Len() < 4e6 { // random: about half of it is left zipped
		b := make([]byte, 16)
		rand.Read(b)
		fmt.Fprintf(&body, "+1206%s,%s\n", hex.EncodeToString(b[:4]), hex.EncodeToString(b[4:]))
	}
	from := c.fake.count()
	conv := c.adapter.Interaction(c.interaction(t), limit)
	where, err := conv.(bot.Attacher).Attach(context.Background(), "report.csv", []byte(header+body.String()), "Import report")
	if err != nil {
		t.Fatalf("Attach: %v", err)
	}
	files, carriers := c.attached(from)
	if len(files) < 2 || len(files) > 5 || !strings.Contains(where, fmt.Sprintf("in %d zipped parts", len(files))) {
		t.Fatalf("%d parts; said %q", len(files), where)
	}
	var names []string
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var joined strings.Builder
	for i, name := range names {
		want := fmt.Sprintf("report-part%dof%d.csv.zip", i+1, len(names))
		if name != want || len(files[name]) > limit || !carriers[i].ephemeral || !strings.Contains(carriers[i].text, fmt.Sprintf("part %d of %d", i+1, len(names))) {
			t.Fatalf("part %s (%d bytes), want %s under %d: %q", name, len(files[name]), want, limit, carriers[i].text)
		}
		_, content := unzip(t, files[name])
		part, ok := strings.CutPrefix(content, header)
		if !ok || !strings.HasSuffix(part, "\n") {
			t.Fatalf("part %s does not start with the header or end a line: %.40q…%.40q", name, content, content[len(content)-40:])
		}
		joined.WriteString(part)
	}
	if !bytes.Equal([]byte(joined.String()), []byte(body.String())) {
		t.Fatalf("the parts hold %d bytes, want %d", joined.Len(), body.Len())
	}
}

// Through the router: an export over the limit that Discord gives with the
// interaction (attachment_size_limit; the fake refuses more with 413) is
// zipped, not an "internal error".
func TestDiscordExportOverTheInteractionsLimitIsZipped(t *testing.T) {
	c := newChat(t, bottest.Setup{Admins: []string{"alice"}})
	const limit = 2048
	c.Type(t, "alice", "numbers add +12065550101 100")
	c.WaitFor(t, "Added")
	var csv strings.Builder
	csv.WriteString("Full name,Mobile\n")
	for i := range 60 {
		fmt.Fprintf(&csv, "Guest %d,+1206555%04d\n", i, 1000+i)
	}
	c.cursor = c.fake.count()
	c.deliver(t, c.importing(t, "alice", c.fake.share("crew.csv", csv.String())))
	c.WaitFor(t, "Imported 60 contacts")
	c.Type(t, "alice", "send crew Dinner")
	c.WaitFor(t, "waiting for approval")
	c.Click(t, "alice", "Approve")
	c.WaitFor(t, "finished")

	c.fake.mu.Lock()
	c.fake.uploadLimit = limit // a server whose limit is this
	c.fake.mu.Unlock()
	c.clock.Advance(humanPause)
	c.cursor = c.fake.count()
	ix := c.command(t, "alice", staffID, "export 1")
	ix["attachment_size_limit"] = limit
	c.deliver(t, ix)
	got := c.WaitFor(t, "one line per recipient")
	if !strings.Contains(got, ".csv.zip (zipped: ") {
		t.Fatalf("the export's answer: %s", got)
	}
	files, _ := c.attached(c.cursor)
	for name, z := range files {
		if _, content := unzip(t, z); !strings.HasSuffix(name, ".csv.zip") || len(z) > limit || strings.Count(content, "\n") != 61 {
			t.Fatalf("%s: %d bytes zipped, %d lines", name, len(z), strings.Count(content, "\n"))
		}
	}
}
