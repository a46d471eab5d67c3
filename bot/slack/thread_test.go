package slack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
	"testing"

	"smsbot/bot/bottest"
	botslack "smsbot/bot/slack"
	"smsbot/inbound"
)

// A staff member's reply in a contact's thread texts that contact, from
// the contact's sticky sender.
func TestSlackThreadReplyTextsTheContact(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	ctx := context.Background()
	c.Type(t, "U0ALICE", "numbers add +12065550101 50")
	c.WaitFor(t, "Added")
	c.Type(t, "U0ALICE", "numbers add +12065550102 50")
	c.WaitFor(t, "Added")
	for _, add := range []string{"add crew +12065550001 Ada", "add crew +12065550002 Grace"} {
		c.Type(t, "U0ALICE", add)
		c.WaitFor(t, "to crew")
	}
	// Both texted in; each got a thread in the staff channel.
	svc, err := inbound.New(inbound.Config{Store: c.store, Staff: c.adapter.Staff()})
	if err != nil {
		t.Fatal(err)
	}
	threads := map[string]string{}
	for i, from := range []string{"+12065550001", "+12065550002"} {
		c.clock.Advance(humanPause) // texts come a second or more apart
		before := c.fake.count()
		if _, err := svc.Receive(ctx, inbound.Text{SID: "SM000000000000000000000000000000" + string(rune('a'+i)), From: from, To: "+12065550101", Body: "which room?"}); err != nil {
			t.Fatal(err)
		}
		c.fake.waitFor(t, before, "which room?")
		ref, err := c.store.Thread(ctx, mustContact(t, c, from), botslack.Platform)
		if err != nil || ref == "" {
			t.Fatalf("no thread for %s: %v", from, err)
		}
		threads[from] = ref
	}

	for _, tt := range []struct{ phone, name, text string }{
		{"+12065550002", "Grace", "Room B & the vegan table is on the left"},
		{"+12065550001", "Ada", "Room C"},
	} {
		c.clock.Advance(humanPause)
		c.cursor = c.fake.count()
		event := threadReply(t, threads[tt.phone], tt.text)
		if code := c.post(t, "/slack/events", event, signed); code != http.StatusOK {
			t.Fatalf("/slack/events answered %d", code)
		}
		answer := c.WaitFor(t, "texted "+tt.name)
		if !strings.Contains(answer, strings.ReplaceAll(tt.text, "&", "&amp;")) { // as Slack shows it
			t.Fatalf("answer in thread: %s", answer)
		}
		sent := c.sim.Sent()
		last := sent[len(sent)-1]
		_, sender, err := c.engine.StickySender(ctx, tt.phone)
		if err != nil {
			t.Fatal(err)
		}
		if last.To != tt.phone || last.Body != tt.text || last.From != sender.Address {
			t.Fatalf("texted %+v, want %s from %s", last, tt.phone, sender.Address)
		}
	}
	if n := len(c.sim.Sent()); n != 2 {
		t.Fatalf("%d texts, want 2", n)
	}
}

func TestSlackURLVerification(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	body := `{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`
	resp := c.raw(t, "/slack/events", body, signed)
	if resp != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("challenge answered %q", resp)
	}
}

func threadReply(t *testing.T, threadTS, text string) string {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(fixture(t, "message_event.json"), &ev); err != nil {
		t.Fatal(err)
	}
	inner := ev["event"].(map[string]any)
	h := fnv.New32a()
	h.Write([]byte(threadTS + text))
	ev["event_id"] = fmt.Sprintf("Ev0REPLY%08X", h.Sum32()) // one event per reply
	inner["thread_ts"] = threadTS
	inner["text"] = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(text)
	b, _ := json.Marshal(ev)
	return string(b)
}

func mustContact(t *testing.T, c *httpChat, phone string) int64 {
	t.Helper()
	contact, err := c.store.Contact(context.Background(), phone)
	if err != nil {
		t.Fatal(err)
	}
	return contact.ID
}
