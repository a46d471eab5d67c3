package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot"
	"smsbot/broadcast"
	"smsbot/inbound"
	"smsbot/store"
)

// fileRecorder is an editRecorder that takes files.
type fileRecorder struct {
	*editRecorder
	files map[string][]byte
}

func (f *fileRecorder) Attach(_ context.Context, name string, data []byte, _ string) (string, error) {
	f.files[name] = data
	return name, nil
}

func startPoll(t *testing.T, b *pollBundle, args string) {
	t.Helper()
	if posts := b.do("alice", "poll crew "+args); len(posts) != 1 || !strings.HasPrefix(posts[0].Title, "Poll #1") {
		t.Fatalf("poll: %+v", posts)
	}
	b.approve(t, 1)
}

func TestPollTallyFollowsAnswersInPlace(t *testing.T) {
	b := setupPolls(t)
	startPoll(t, b, `Which shuttle? | 5 pm shuttle | 7 pm shuttle --confirm "Got it: {answer}. Reply again to change."`)
	if got := b.text(t, 1, "2!!"); got != "Got it: 7 pm shuttle. Reply again to change." {
		t.Errorf("confirmation = %q", got)
	}
	b.text(t, 2, "5pm")
	b.text(t, 3, "1")
	b.text(t, 3, "two") // a change of answer
	if got := b.text(t, 4, "which bus is closer?"); got != "" {
		t.Errorf("reply to a non-answer = %q", got)
	}
	m := b.tally(t)
	if !strings.Contains(m.Text, "1) 5 pm shuttle") || !strings.Contains(m.Text, "` 1 · 33%") || !strings.Contains(m.Text, "` 2 · 67%") {
		t.Errorf("tally text = %q", m.Text)
	}
	fields := fieldMap(m)
	if fields["Answered"] != "3 of 4 (75%)" || fields["Not answered"] != "1" || fields["Status"] != "open, no closing time" {
		t.Errorf("fields = %v", fields)
	}
	if labels := buttonLabels(m); labels != "Close now,Remind non-responders,Export" {
		t.Errorf("buttons = %s", labels)
	}
	// Nothing changed: no edit at the next turns.
	b.clock.Advance(2 * time.Second)
	select {
	case <-b.conv.edit:
		t.Error("tally edited without a change")
	case <-time.After(100 * time.Millisecond):
	}
}

func TestPollCloseNowStopsCounting(t *testing.T) {
	b := setupPolls(t, "alice")
	startPoll(t, b, "Coming? | Yes | No")
	b.text(t, 1, "YES") // an opt-in word that answers a yes/no poll
	b.router.Click(context.Background(), bot.Click{User: "mallory", Action: "pclose:1"}, b.conv)
	if !b.lastPostHas("only smsbot admins") {
		t.Fatal("a non-admin closed the poll")
	}
	b.router.Click(context.Background(), bot.Click{User: "alice", Action: "pclose:1"}, b.conv)
	if !b.lastPostHas("Poll #1 closed by alice: 1 of 4 answered") {
		t.Fatalf("close answer: %+v", b.conv.posts[len(b.conv.posts)-1])
	}
	b.router.Click(context.Background(), bot.Click{User: "alice", Action: "pclose:1"}, b.conv)
	if !b.lastPostHas("poll #1 is closed already") {
		t.Fatal("second close not refused")
	}
	b.router.Click(context.Background(), bot.Click{User: "alice", Action: "premind:1"}, b.conv)
	if !b.lastPostHas("poll #1 is closed: a reminder's answers would not count") {
		t.Fatal("a reminder of a closed poll not refused")
	}
	b.text(t, 2, "no")
	tl, err := b.store.Tally(context.Background(), 1)
	if err != nil || tl.Answered != 1 || tl.Counts[0] != 1 {
		t.Fatalf("tally after close = %+v, %v", tl, err)
	}
	m := b.tally(t)
	if !strings.HasSuffix(m.Title, "(closed)") || !strings.HasPrefix(fieldMap(m)["Status"], "Closed ") || buttonLabels(m) != "Export" {
		t.Errorf("closed tally = %+v", m)
	}
}

func TestPollClosesAtItsClosingTime(t *testing.T) {
	b := setupPolls(t)
	startPoll(t, b, `Coming? | Yes | No --closes "in 10m"`)
	b.text(t, 1, "y")
	if m := b.tally(t); strings.HasSuffix(m.Title, "(closed)") {
		t.Fatal("closed too early")
	}
	m := b.tallyAfter(t, 10*time.Minute)
	if !strings.HasSuffix(m.Title, "(closed)") || !strings.HasPrefix(fieldMap(m)["Status"], "Closed ") || strings.Contains(fieldMap(m)["Status"], " by ") {
		t.Errorf("tally after the closing time = %+v", m)
	}
	p, err := b.store.Poll(context.Background(), 1)
	if err != nil || p.ClosedAt == nil || !p.ClosedAt.Equal(*p.Question.ClosesAt) {
		t.Fatalf("poll = %+v, %v", p, err)
	}
}

func TestPollRemindAndFollowUpTextOnlyTheirGroup(t *testing.T) {
	b := setupPolls(t)
	startPoll(t, b, "Which shuttle? | 5 pm | 7 pm")
	b.text(t, 1, "1")
	b.text(t, 2, "2")
	b.text(t, 3, "7 pm")
	b.click(t, "alice", "premind:1")
	m := b.conv.posts[len(b.conv.posts)-1]
	if m.Title != "Broadcast #2 to poll:1=none on crew: waiting for approval" || fieldMap(m)["Recipients"] != "1" ||
		!strings.Contains(fieldMap(m)["Group"], "have not answered") || !strings.Contains(m.Text, "Reminder: Which shuttle?") {
		t.Fatalf("reminder preview = %+v", m)
	}
	posts := b.do("alice", "send poll:1=2 The 7 pm shuttle leaves from Gate B")
	if len(posts) != 1 || posts[0].Title != "Broadcast #3 to poll:1=2 on crew: waiting for approval" || fieldMap(posts[0])["Recipients"] != "2" ||
		!strings.Contains(fieldMap(posts[0])["Group"], "answered 2) 7 pm") {
		t.Fatalf("follow-up preview = %+v", posts)
	}
	posts = b.do("alice", "poll poll:1=2 Window or aisle? | Window | Aisle")
	if len(posts) != 1 || posts[0].Title != "Poll #4 to poll:1=2 on crew: waiting for approval" || fieldMap(posts[0])["Recipients"] != "2" ||
		!strings.Contains(fieldMap(posts[0])["Group"], "answered 2) 7 pm") {
		t.Fatalf("poll to a group = %+v", posts)
	}
	b.approve(t, 2)
	b.approve(t, 3)
	for id, want := range map[int64][]string{2: {"+12065550104"}, 3: {"+12065550102", "+12065550103"}} {
		var got []string
		if err := b.store.DB().NewRaw(`SELECT to_phone FROM messages WHERE broadcast_id = ? AND status IN ('sent', 'delivered') ORDER BY to_phone`, id).Scan(context.Background(), &got); err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("broadcast #%d texted %v, want %v", id, got, want)
		}
	}
}

func TestPollExportHasOneLinePerRecipient(t *testing.T) {
	b := setupPolls(t)
	f := &fileRecorder{editRecorder: b.conv, files: map[string][]byte{}}
	startPoll(t, b, "Meal? | Végétarien | =cmd|' /C calc'!A0")
	b.text(t, 1, "vegetarien")
	b.text(t, 2, "2")
	b.router.Click(context.Background(), bot.Click{User: "alice", Action: "pexport:1"}, f)
	if len(f.files) != 1 {
		t.Fatalf("files = %d", len(f.files))
	}
	for name, data := range f.files {
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		if !strings.HasPrefix(name, "poll-1-") || len(lines) != 5 || lines[0] != "phone,name,answer,option,answered_at,text" {
			t.Fatalf("%s:\n%s", name, data)
		}
		if !strings.HasPrefix(lines[1], "+12065550101,Guest1,Végétarien,1,") || !strings.Contains(lines[2], ",'=cmd") || lines[4] != "+12065550104,Guest4,,,," {
			t.Errorf("export:\n%s", data)
		}
	}
}

func (b *pollBundle) lastPostHas(s string) bool {
	b.conv.mu.Lock()
	defer b.conv.mu.Unlock()
	m := b.conv.posts[len(b.conv.posts)-1]
	return strings.Contains(m.Text, s)
}

func fieldMap(m bot.Message) map[string]string {
	out := map[string]string{}
	for _, f := range m.Fields {
		out[f.Label] = f.Value
	}
	return out
}

func buttonLabels(m bot.Message) string {
	var l []string
	for _, b := range m.Buttons {
		l = append(l, b.Label)
	}
	return strings.Join(l, ",")
}

func TestPollsListsOnlyApprovedPolls(t *testing.T) {
	b := setupPolls(t)
	b.do("alice", "poll crew Coming? | Yes | No") // #1, never approved
	b.do("alice", "poll crew Which shuttle? | 5 pm | 7 pm")
	b.click(t, "alice", "cancel:1")
	b.approve(t, 2)
	posts := b.do("alice", "polls")
	if len(posts) != 1 || posts[0].Text != "#2 Which shuttle? · 0 of 4 answered · open" {
		t.Fatalf("polls = %+v", posts)
	}
}

// A poll whose closing time passed while smsbot was down is shown closed
// at the next start, not "open until" a time gone by.
func TestPollOverdueAtStartIsShownClosed(t *testing.T) {
	b := setupPolls(t)
	startPoll(t, b, `Coming? | Yes | No --closes "in 10m"`)
	b.router.Close()
	b.clock.Advance(time.Hour)
	r := bot.New(bot.Config{Engine: b.engine, Directory: b.store, Stats: b.store, Polls: b.store, Clock: b.clock, Location: time.UTC})
	t.Cleanup(r.Close)
	conv := newEditRecorder()
	r.Resume(context.Background(), conv)
	_, m, ok := conv.find("📊 Poll #1")
	if !ok || !strings.HasSuffix(m.Title, "(closed)") || !strings.HasPrefix(fieldMap(m)["Status"], "Closed ") {
		t.Fatalf("tally at start = %+v", m)
	}
}

// /sms sim reply shows what smsbot texted back: the poll's confirmation.
func TestSimReplyShowsTheConfirmation(t *testing.T) {
	b := setupPollsAt(t, time.Now(), func(cfg *bot.Config, st *store.Store, _ *broadcast.Engine, _ clockwork.Clock) {
		in, err := inbound.New(inbound.Config{Store: st})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Simulator = &inbound.SimInbox{Service: in,
			Route:   func(context.Context, string) (string, error) { return "+12065550100", nil },
			Deliver: func(context.Context, string, string, string) error { return nil }}
	})
	startPoll(t, b, `Coming? | Yes | No --confirm "Thanks: {answer}"`)
	posts := b.do("alice", "sim reply +12065550101 y")
	if len(posts) != 1 || posts[0].Text != "↩ smsbot texted +12065550101 back: Thanks: Yes" {
		t.Fatalf("sim reply = %+v", posts)
	}
	if posts := b.do("alice", "sim reply +12065550102 which room?"); len(posts) != 0 {
		t.Fatalf("a text with no reply answered %+v", posts)
	}
}
