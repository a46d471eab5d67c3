package discord_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"smsbot/bot"
	"smsbot/bot/bottest"
	"smsbot/bot/discord"
	"smsbot/inbound"
)

// threadMessage is a message in channel as the gateway delivers it.
func threadMessage(t *testing.T, channel, author, text string, isBot bool) *discordgo.MessageCreate {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(fixture(t, "message_create.json"), &m); err != nil {
		t.Fatal(err)
	}
	m["channel_id"], m["content"] = channel, text
	m["author"].(map[string]any)["id"] = author
	if isBot {
		m["author"].(map[string]any)["bot"] = true
	}
	b, _ := json.Marshal(m)
	var ev discordgo.MessageCreate
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	return &ev
}

func threads(c *chat) []shown {
	got, _ := c.fake.since(0)
	var out []shown
	for _, s := range got {
		if s.kind == "thread" {
			out = append(out, s)
		}
	}
	return out
}

// Texts from a contact go to one thread in the staff channel; a staff
// member's message in it texts the contact back from their sticky sender.
func TestDiscordStaffThreads(t *testing.T) {
	c, a := newGateway(t, bottest.Setup{Admins: []string{"alice"}})
	ctx := context.Background()
	for _, cmd := range []string{"numbers add +12065550101 50", "numbers add +12065550102 50", "add crew +12065550001 Ada", "add crew +12065550002 Grace"} {
		c.Type(t, "alice", cmd)
		c.WaitFor(t, "+1206555")
	}
	staff := a.Staff()
	if staff.Platform() != discord.Platform || discord.Platform != "discord" {
		t.Fatalf("platform %q", staff.Platform())
	}
	svc, err := inbound.New(inbound.Config{Store: c.core.Store, Staff: staff})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	text := func(from, body string) shown {
		t.Helper()
		n++
		c.clock.Advance(humanPause) // texts come a second or more apart
		before := c.fake.count()
		if _, err := svc.Receive(ctx, inbound.Text{SID: fmt.Sprintf("SM%032d", n), From: from, To: "+12065550101", Body: body}); err != nil {
			t.Fatal(err)
		}
		return c.fake.waitFor(t, before, body, "post")
	}
	threadOf := func(phone string) string {
		t.Helper()
		contact, err := c.core.Store.Contact(ctx, phone)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := c.core.Store.Thread(ctx, contact.ID, discord.Platform)
		if err != nil {
			t.Fatal(err)
		}
		return ref
	}

	first := text("+12065550001", "which room?")
	th := threads(c)
	if first.channel != staffID || len(th) != 1 || th[0].id != first.id || th[0].channel != staffID || !strings.Contains(th[0].text, "Ada") {
		t.Fatalf("the first text is not a thread's start: %+v, threads %+v", first, th)
	}
	if ref := threadOf("+12065550001"); ref != th[0].id {
		t.Fatalf("stored thread %q, started %q", ref, th[0].id)
	}
	if again := text("+12065550001", "and when is dinner?"); again.channel != th[0].id || len(threads(c)) != 1 {
		t.Fatalf("the second text went to %s, threads %d", again.channel, len(threads(c)))
	}
	text("+12065550002", "is there parking?")
	if len(threads(c)) != 2 {
		t.Fatalf("Grace has no thread of her own: %+v", threads(c))
	}
	// A notice (an opt-out) is posted alone, without a thread.
	before := c.fake.count()
	svc.Receive(ctx, inbound.Text{SID: fmt.Sprintf("SM%032d", 99), From: "+12065550002", To: "+12065550101", Body: "STOP"})
	if s := c.fake.waitFor(t, before, "opted out", "post"); s.channel != staffID || len(threads(c)) != 2 {
		t.Fatalf("notice in %s, %d threads", s.channel, len(threads(c)))
	}

	// The bot's own message in the thread does nothing; a person's is texted.
	adaThread := th[0].id
	a.GatewayMessage(threadMessage(t, adaThread, appID, "↩️ echo", true))
	a.GatewayMessage(threadMessage(t, staffID, "alice", "not in a thread", false))
	before = c.fake.count()
	a.GatewayMessage(threadMessage(t, adaThread, "alice", "Room B, left of the stage", false))
	answer := c.fake.waitFor(t, before, "texted Ada", "post")
	if answer.channel != adaThread || !strings.Contains(answer.text, "Room B, left of the stage") {
		t.Fatalf("answer in %s: %s", answer.channel, answer.text)
	}
	a.Close() // let anything started finish before counting
	sent := c.Sent()
	_, sender, err := c.core.Engine.StickySender(ctx, "+12065550001")
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != 1 || sent[0].To != "+12065550001" || sent[0].Body != "Room B, left of the stage" || sent[0].From != sender.Address {
		t.Fatalf("texted %+v, want one text to Ada from %s", sent, sender.Address)
	}

	// A deleted thread is started anew.
	c.fake.mu.Lock()
	c.fake.gone[adaThread] = true
	c.fake.mu.Unlock()
	text("+12065550001", "hello?")
	if ref := threadOf("+12065550001"); ref == adaThread || len(threads(c)) != 3 {
		t.Fatalf("thread %s after the old one was deleted (%d threads)", ref, len(threads(c)))
	}
}

// A contact's media file (an MMS's picture, fetched by the server) is shown
// in their thread, or in the staff channel without one.
func TestDiscordStaffRelaysFiles(t *testing.T) {
	c := newChat(t, bottest.Setup{})
	ctx := context.Background()
	staff := c.adapter.Staff()
	thread, err := staff.Relay(ctx, "", bot.Message{Title: "💬 Ada (+12065550001)", Text: "> look"})
	if err != nil || thread == "" {
		t.Fatalf("Relay: %q, %v", thread, err)
	}
	picture := strings.Repeat("\x89PNG", 100)
	for _, where := range []string{thread, ""} {
		from := c.fake.count()
		if err := staff.RelayFile(ctx, where, "../IMG_0001.png", []byte(picture)); err != nil {
			t.Fatalf("RelayFile: %v", err)
		}
		got, _ := c.fake.since(from)
		want := cmp.Or(where, staffID)
		if len(got) != 1 || got[0].kind != "post" || got[0].channel != want || got[0].files["IMG_0001.png"] != picture {
			t.Fatalf("the file was shown as %+v, want a post in %s", got, want)
		}
	}
}
