package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"smsbot/bot"
	"smsbot/broadcast"
)

// clickOn presses action as user on the message ref, through conv, and
// returns what was posted and what ref was edited to.
func (b *routerBundle) clickOn(user, action string, conv *updates) ([]bot.Message, []bot.Message) {
	b.router.Click(context.Background(), bot.Click{User: user, Action: action, Message: "confirm"}, conv)
	conv.mu.Lock()
	defer conv.mu.Unlock()
	edits := conv.n["confirm"]
	delete(conv.n, "confirm")
	return conv.take(), edits
}

func TestListShowsMembersPaged(t *testing.T) {
	b := setup(t, "alice")
	b.do("alice", "numbers add +12065550101 100")
	for i := range 45 {
		b.do("alice", fmt.Sprintf("add crew +120655500%02d Person%02d", i, i))
	}
	b.do("alice", "add crew +12065559999")
	if _, err := b.store.OptOut(context.Background(), "+12065550003", "test"); err != nil {
		t.Fatal(err)
	}
	page := b.do("mallory", "list crew")
	if len(page) != 1 {
		t.Fatalf("answers: %+v", page)
	}
	m := page[0]
	lines := strings.Split(m.Text, "\n")
	if m.Title != "crew · 46 members" || len(lines) != 21 || lines[0] != "Person00 · +12065550000 · no sender yet" ||
		!strings.Contains(lines[3], "Person03 · +12065550003 · no sender yet · opted out") ||
		lines[20] != "Page 1 of 3: `/sms list crew 2` shows the next." {
		t.Fatalf("page 1 = %q\n%s", m.Title, m.Text)
	}
	last := b.do("alice", "members crew 3") // a synonym
	lines = strings.Split(last[0].Text, "\n")
	if len(lines) != 7 || lines[5] != "+12065559999 · no sender yet" || lines[6] != "Page 3 of 3." {
		t.Fatalf("page 3:\n%s", last[0].Text)
	}
	b.refused(t, "alice", "list crew 4", "crew has 46 members on 3 pages; page 4 is empty")
	b.refused(t, "alice", "list crew two", `"two" is not a page number; write /sms list crew 2`)
	b.refused(t, "alice", "list crw", `there is no list named "crw"; did you mean crew?`)
	b.refused(t, "alice", "list", "usage: /sms list <list> [page]")
	if got := b.do("alice", "members"); len(got) != 1 || got[0].Title != "Lists" {
		t.Fatalf("members without a list: %+v", got)
	}
}

func TestListShowsSenderAfterSending(t *testing.T) {
	b := setup(t, "alice")
	b.do("alice", "numbers add +12065550101 100")
	b.do("alice", "add crew +12065550001 Ada")
	b.do("alice", "send crew hi")
	b.click("alice", "approve:1")
	b.waitDone(t, 1)
	if got := b.do("alice", "list crew"); len(got) != 1 || got[0].Text != "Ada · +12065550001 · from +12065550101" {
		t.Fatalf("list after sending: %+v", got)
	}
}

func TestListsRename(t *testing.T) {
	b := setup(t, "alice")
	b.do("alice", "add crew +12065550001 Ada")
	b.do("alice", "add board +12065550002 Grace")
	b.refused(t, "mallory", "lists rename crew team", "only smsbot admins")
	b.refused(t, "alice", "lists rename crew board", `there is already a list named "board"`)
	b.refused(t, "alice", "lists rename crew my-crew!", `list name "my-crew!" may only have letters`)
	b.refused(t, "alice", "lists rename crw team", `no list named "crw"; did you mean crew?`)
	b.refused(t, "alice", "lists rename crew", "usage: /sms lists rename <old> <new>")
	b.refused(t, "alice", "lists renam crew team", `unknown subcommand of lists "renam": did you mean rename?`)
	if got := b.do("alice", "lists rename crew team"); len(got) != 1 || got[0].Text != "Renamed list crew to team." {
		t.Fatalf("rename: %+v", got)
	}
	if got := b.do("alice", "list team"); len(got) != 1 || !strings.Contains(got[0].Text, "Ada") {
		t.Fatalf("renamed list: %+v", got)
	}
	if got := b.do("alice", "lists rename team Team"); len(got) != 1 || got[0].Text != "Renamed list team to Team." {
		t.Fatalf("a change of case: %+v", got)
	}
	entries, err := b.store.Audit(context.Background(), 1)
	if err != nil || len(entries) != 1 || entries[0].Action != "list.rename" || entries[0].Actor != "alice" || entries[0].Detail != "was team" {
		t.Fatalf("audit = %+v, %v", entries, err)
	}
}

func TestListsDeleteAfterConfirmation(t *testing.T) {
	b := setup(t, "alice", "bob")
	b.do("alice", "add Bob +12065550001 Ada") // the mistake of issue 14
	b.do("alice", "add crew +12065550001")
	b.refused(t, "mallory", "lists delete Bob", "only smsbot admins")
	b.refused(t, "alice", "lists delete bo", `no list named "bo"; did you mean Bob?`)
	before := b.rows(t)
	ask := b.do("alice", "lists delete Bob")
	if len(ask) != 1 || len(ask[0].Buttons) != 2 || ask[0].Buttons[0].Style != bot.Danger || ask[0].Buttons[0].Label != "Delete Bob" ||
		!strings.Contains(ask[0].Text, "1 member") || !strings.Contains(ask[0].Text, "contacts themselves stay") {
		t.Fatalf("confirmation: %+v", ask)
	}
	if after := b.rows(t); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("asking changed rows: %v → %v", before, after)
	}
	conv := &updates{n: map[bot.Ref][]bot.Message{}}
	act := ask[0].Buttons[0].Action
	if posts, edits := b.clickOn("mallory", act, conv); len(posts) != 1 || !strings.Contains(posts[0].Text, "only smsbot admins") || len(edits) != 0 {
		t.Fatalf("a non-admin's click: %+v %+v", posts, edits)
	}
	posts, edits := b.clickOn("bob", act, conv)
	if len(posts) != 0 || len(edits) != 1 || edits[0].Title != "List Bob deleted" || len(edits[0].Buttons) != 0 ||
		edits[0].Text != "Deleted by bob. Its 1 member stays as a contact." {
		t.Fatalf("click: posts %+v, edits %+v", posts, edits)
	}
	if posts, edits := b.clickOn("alice", act, conv); len(posts) != 1 || !strings.Contains(posts[0].Text, "that list was already deleted") || len(edits) != 0 {
		t.Fatalf("second click: %+v %+v", posts, edits)
	}
	lists := b.do("alice", "lists")
	if len(lists) != 1 || strings.Contains(lists[0].Text, "Bob") || !strings.Contains(lists[0].Text, "crew") {
		t.Fatalf("lists after delete: %+v", lists)
	}
	if _, err := b.store.Contact(context.Background(), "+12065550001"); err != nil {
		t.Fatalf("the contact went with the list: %v", err)
	}
	entries, err := b.store.Audit(context.Background(), 1)
	if err != nil || len(entries) != 1 || entries[0].Action != "list.delete" || entries[0].Actor != "bob" || entries[0].Subject != "Bob" {
		t.Fatalf("audit = %+v, %v", entries, err)
	}
}

func TestListsDeleteRefusesListWithHistory(t *testing.T) {
	b := setup(t, "alice")
	b.do("alice", "numbers add +12065550101 100")
	b.do("alice", "add crew +12065550001")
	// A confirmation shown before the broadcast sent is refused on click.
	ask := b.do("alice", "lists delete crew")
	if len(ask) != 1 || len(ask[0].Buttons) == 0 {
		t.Fatalf("confirmation: %+v", ask)
	}
	b.do("alice", "send crew hi")
	b.click("alice", "approve:1")
	b.waitDone(t, 1)
	b.refused(t, "alice", "lists delete crew", "the list was sent to (#1) and that history needs it, so it cannot be deleted")
	conv := &updates{n: map[bot.Ref][]bot.Message{}}
	if posts, _ := b.clickOn("alice", ask[0].Buttons[0].Action, conv); len(posts) != 1 || !strings.Contains(posts[0].Text, "cannot be deleted") {
		t.Fatalf("click: %+v", posts)
	}
}

// TestListsDeleteTakesUnsentBroadcasts: the mistyped list, sent a
// preview that was cancelled, can be deleted, and the preview goes with it.
// Before, any broadcast or schedule ever made for a list kept it forever.
func TestListsDeleteTakesUnsentBroadcasts(t *testing.T) {
	b := setup(t, "alice", "bob")
	b.do("alice", "numbers add +12065550101 100")
	b.do("alice", "add Bob +12065550105 friends")
	b.do("alice", "send Bob hi")
	b.click("alice", "cancel:1")
	b.do("alice", "send Bob hello") // a preview never approved
	ask := b.do("alice", "lists delete Bob")
	if len(ask) != 1 || !strings.Contains(ask[0].Text, "Broadcasts #1 and #2, which sent nothing, go with it.") {
		t.Fatalf("confirmation: %+v", ask)
	}
	conv := &updates{n: map[bot.Ref][]bot.Message{}}
	_, edits := b.clickOn("bob", ask[0].Buttons[0].Action, conv)
	if len(edits) != 1 || edits[0].Text != "Deleted by bob. Its 1 member stays as a contact. Broadcasts #1 and #2, which sent nothing, went with it." {
		t.Fatalf("deleted: %+v", edits)
	}
	if got := b.rows(t); got["broadcasts"] != 0 || got["messages"] != 0 || got["lists"] != 0 || got["contacts"] != 1 {
		t.Fatalf("rows after delete: %v", got)
	}
	b.refused(t, "alice", "status 1", "there is no broadcast #1")
	if posts := b.click("bob", "approve:2"); len(posts) != 1 || !strings.Contains(posts[0].Text, "there is no broadcast #2") {
		t.Fatalf("approving the deleted preview: %+v", posts)
	}
}

// TestListsDeleteWaitsForUnfinishedBroadcasts: a paused broadcast with
// nothing sent keeps the list until it is cancelled, and says so.
func TestListsDeleteWaitsForUnfinishedBroadcasts(t *testing.T) {
	b := setup(t, "alice", "bob")
	b.do("alice", "numbers add +12065550101 100")
	b.do("alice", "add crew +12065550001")
	b.do("alice", "send crew hi")
	// Paused before a text went out (as a restart finds it).
	if _, err := b.store.Transition(context.Background(), 1, []broadcast.Status{broadcast.StatusPending}, broadcast.StatusPaused, "bob", time.Now()); err != nil {
		t.Fatal(err)
	}
	b.refused(t, "alice", "lists delete crew", "broadcast #1 to the list is not finished, though nothing was sent yet; cancel it (/sms cancel 1), then delete the list")
	b.do("alice", "cancel 1")
	if ask := b.do("alice", "lists delete crew"); len(ask) != 1 || !strings.Contains(ask[0].Text, "Broadcast #1, which sent nothing, goes with it.") {
		t.Fatalf("after cancelling: %+v", ask)
	}
}
