package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot"
)

func (b *routerBundle) click(user, action string) []bot.Message {
	b.router.Click(context.Background(), bot.Click{User: user, Action: action, Message: "1"}, b.conv)
	return b.conv.take()
}

func TestApproveAfterTheEndIsRefused(t *testing.T) {
	b := setup(t, "alice")
	b.do("alice", "numbers add +12065550101 100")
	b.do("alice", "add crew +12065550001")
	b.do("alice", "send crew one")
	b.do("alice", "send crew two")
	b.click("alice", "cancel:1")
	if got := b.click("alice", "approve:1"); len(got) != 1 || !strings.Contains(got[0].Text, "broadcast #1 was cancelled; nothing more will be sent") {
		t.Fatalf("approve after cancel: %+v", got)
	}
	b.click("alice", "approve:2")
	ch, stop, err := b.engine.Subscribe(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	timeout := time.After(20 * time.Second)
	for done := false; !done; {
		select {
		case p, ok := <-ch:
			if !ok {
				t.Fatal("progress of broadcast #2 ended before it was done")
			}
			done = p.Done
		case <-timeout:
			t.Fatal("broadcast #2 never finished")
		}
	}
	for action, want := range map[string]string{
		"approve:2": "broadcast #2 was already approved by alice and has already finished",
		"cancel:2":  "broadcast #2 has already finished",
		"pause:2":   "broadcast #2 has already finished",
	} {
		if got := b.click("alice", action); len(got) != 1 || !strings.Contains(got[0].Text, want) {
			t.Fatalf("%s after the end: %+v, want %q", action, got, want)
		}
	}
	if got := b.click("alice", "approve:9"); len(got) != 1 || !strings.Contains(got[0].Text, "there is no broadcast #9") {
		t.Fatalf("approve of an unknown broadcast: %+v", got)
	}
	if got := b.click("alice", "launch:1"); len(got) != 1 || !strings.Contains(got[0].Text, `unknown button "launch:1"`) {
		t.Fatalf("unknown action: %+v", got)
	}
}

// updates counts the edits of each message.
type updates struct {
	recorder
	mu sync.Mutex
	n  map[bot.Ref][]bot.Message
}

func (u *updates) Update(_ context.Context, r bot.Ref, m bot.Message) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.n[r] = append(u.n[r], m)
	return nil
}

func TestProgressEditsAreThrottled(t *testing.T) {
	clock := clockwork.NewFakeClock()
	b := setupWith(t, bot.Config{Clock: clock, ProgressEvery: 2 * time.Second})
	b.do("console", "numbers add +12065550101 1000")
	for i := range 50 {
		b.do("console", fmt.Sprintf("add crew +120655500%02d", i))
	}
	b.do("console", "send crew hello")
	conv := &updates{n: map[bot.Ref][]bot.Message{}}
	b.router.Click(context.Background(), bot.Click{User: "console", Action: "approve:1", Message: "preview"}, conv)
	// WaitIdle returns after the last snapshot reached every subscriber;
	// Close then lets the watcher show it.
	if err := b.engine.WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	b.router.Close()
	edits := conv.n["preview"]
	// The router's clock stands still: only the first state and the summary
	// may be shown, however many snapshots the engine published (one per
	// commit).
	if len(edits) < 1 || len(edits) > 2 || !strings.Contains(edits[len(edits)-1].Title, "finished") {
		var titles []string
		for _, e := range edits {
			titles = append(titles, e.Title+" "+e.Text)
		}
		t.Fatalf("%d edits:\n%s", len(edits), strings.Join(titles, "\n"))
	}
}

func TestRequesterAndApproverAreRecorded(t *testing.T) {
	b := setupWith(t, bot.Config{Admins: []string{"alice", "bob"}, Approvers: []string{"alice", "bob"}})
	b.do("alice", "numbers add +12065550101 100")
	b.do("alice", "add crew +12065550001")
	b.do("alice", "send crew hello")
	if got := b.click("bob", "approve:1"); len(got) != 0 {
		t.Fatalf("approve answered %+v", got)
	}
	bc, err := b.store.Broadcast(context.Background(), 1)
	if err != nil || bc.RequestedBy != "alice" || bc.ApprovedBy != "bob" || bc.ApprovedAt == nil {
		t.Fatalf("broadcast = %+v, %v", bc, err)
	}
	entries, err := b.store.Audit(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	var log []string
	for _, e := range entries {
		log = append(log, e.Actor+" "+e.Action+" "+e.Subject)
	}
	all := strings.Join(log, "\n")
	for _, want := range []string{"alice broadcast.request #1", "bob broadcast.approve #1", "alice sender.add +12065550101", "alice list.add crew"} {
		if !strings.Contains(all, want) {
			t.Errorf("audit log lacks %q:\n%s", want, all)
		}
	}
}

// attacher is a recorder that keeps shared files.
type attacher struct {
	recorder
	files map[string][]byte
}

func (a *attacher) Attach(_ context.Context, name string, data []byte, _ string) (string, error) {
	a.files[name] = data
	return "saved as " + name, nil
}

func TestStatsAndExport(t *testing.T) {
	b := setup(t)
	if got := b.do("console", "stats"); len(got) != 1 || got[0].Text != "No broadcasts yet." {
		t.Fatalf("stats before any broadcast: %+v", got)
	}
	b.do("console", "numbers add +12065550101 100")
	b.do("console", "add crew +12065550001 Ada")
	b.do("console", "send crew Dinner")
	b.click("console", "approve:1")
	if err := b.engine.WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := b.do("console", "export 1"); !strings.Contains(got[0].Text, "files cannot be shared here") {
		t.Fatalf("export without files: %+v", got)
	}
	conv := &attacher{files: map[string][]byte{}}
	b.router.Command(context.Background(), bot.Invocation{User: "console", Text: "stats 1"}, conv)
	b.router.Command(context.Background(), bot.Invocation{User: "console", Text: "export #1"}, conv)
	posts := conv.take()
	if len(posts) != 2 || !strings.Contains(posts[0].Title, "Broadcast #1 to crew: completed") {
		t.Fatalf("posts: %+v", posts)
	}
	if !posts[1].Ephemeral {
		t.Errorf("the export's answer %q is shown to the channel; it names a file with every recipient's number", posts[1].Text)
	}
	var fields []string
	for _, f := range posts[0].Fields {
		fields = append(fields, f.Label+": "+f.Value)
	}
	report := strings.Join(fields, "\n")
	for _, want := range []string{"Texts: 1 sent", "Answers within 24 h: 0 replies, 0 opted out", "Chart: saved as broadcast-1.png"} {
		if !strings.Contains(report, want) {
			t.Errorf("stats lack %q:\n%s", want, report)
		}
	}
	if len(conv.files) != 2 {
		t.Fatalf("files shared: %d", len(conv.files))
	}
	for name, data := range conv.files {
		if strings.HasSuffix(name, ".csv") && !strings.HasPrefix(string(data), "number,name,sender,status") {
			t.Errorf("export %s:\n%s", name, data)
		}
	}
	if got := b.do("console", "stats 9"); !strings.Contains(got[0].Text, "there is no broadcast #9") {
		t.Fatalf("stats of an unknown broadcast: %+v", got)
	}
}
