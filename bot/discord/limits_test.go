package discord_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot"
	"smsbot/bot/bottest"
	"smsbot/bot/discord"
)

// huge is a message over every limit of Discord's embeds and components:
// a long title and text, dozens of long fields and more buttons than a
// message holds.
func huge() bot.Message {
	m := bot.Message{
		Title: strings.Repeat("Broadcast *to* crew ", 30),
		Text:  strings.Repeat("Line with [a](link) and *bold*\n", 400),
	}
	for i := range 40 {
		m.Fields = append(m.Fields, bot.Field{Label: fmt.Sprintf("%d %s", i, strings.Repeat("label ", 60)), Value: strings.Repeat("v", 2000)})
	}
	for i := range 30 {
		m.Buttons = append(m.Buttons, bot.Button{Label: fmt.Sprintf("%d %s", i, strings.Repeat("Approve ", 12)), Action: fmt.Sprintf("approve:%d", i)})
	}
	return m
}

// Whatever the router renders, Discord takes it: the adapter keeps posts
// and edits within the embed and component limits (the fake fails the
// test otherwise).
func TestDiscordMessagesKeepWithinEmbedLimits(t *testing.T) {
	c := newChat(t, bottest.Setup{})
	ctx := context.Background()
	conv := c.adapter.Channel(staffID)
	from := c.fake.count()
	ref, err := conv.Post(ctx, huge())
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	if err := conv.Update(ctx, ref, huge()); err != nil {
		t.Fatalf("Update: %v", err)
	}
	shown, _ := c.fake.since(from)
	if len(shown) != 2 || shown[0].kind != "post" || shown[1].kind != "edit" {
		t.Fatalf("shown: %+v", shown)
	}
	for _, s := range shown {
		if !strings.HasPrefix(s.text, "Broadcast **to** crew") || len(s.buttons) != 25 {
			t.Errorf("%s lost its title or buttons (%d): %.100s", s.kind, len(s.buttons), s.text)
		}
	}
}

// The fake refuses what Discord refuses, with Discord's errors: without
// that, the test above could not fail.
func TestDiscordFakeRefusesWhatDiscordRefuses(t *testing.T) {
	clock := clockwork.NewFakeClock()
	fake := newDiscordFake(t, clock)
	fake.allowRefusals = true
	field := map[string]any{"name": "n", "value": strings.Repeat("v", 1000)}
	var fields []any
	for range 7 {
		fields = append(fields, field)
	}
	for _, tt := range []struct {
		name   string
		body   map[string]any
		code   float64
		errors string
	}{
		{"content over 2,000", map[string]any{"content": strings.Repeat("é", 2001)}, 50035,
			`{"content":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 2000 or fewer in length."}]}}`},
		{"field value over 1,024", map[string]any{"embeds": []any{map[string]any{"fields": []any{map[string]any{"name": "n", "value": strings.Repeat("v", 1025)}}}}}, 50035,
			`{"embeds":{"0":{"fields":{"0":{"value":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 1024 or fewer in length."}]}}}}}}`},
		{"embeds over 6,000", map[string]any{"embeds": []any{map[string]any{"title": "t", "fields": fields}}}, 50035,
			`{"embeds":{"_errors":[{"code":"MAX_EMBED_SIZE_EXCEEDED","message":"Embed size exceeds maximum size of 6000"}]}}`},
		{"six buttons in a row", map[string]any{"content": "x", "components": []any{map[string]any{"type": 1, "components": []any{
			map[string]any{"type": 2, "label": "a", "custom_id": "a"}, map[string]any{"type": 2, "label": "b", "custom_id": "b"},
			map[string]any{"type": 2, "label": "c", "custom_id": "c"}, map[string]any{"type": 2, "label": "d", "custom_id": "d"},
			map[string]any{"type": 2, "label": "e", "custom_id": "e"}, map[string]any{"type": 2, "label": "f", "custom_id": "f"}}}}}, 50035,
			`{"components":{"0":{"components":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 5 or fewer in length."}]}}}}`},
		{"nothing", map[string]any{"embeds": []any{}}, 50006, ""},
		{"content over 2,000 UTF-16 units in 1,001 emoji", map[string]any{"content": strings.Repeat("🙂", 1001)}, 50035,
			`{"content":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 2000 or fewer in length."}]}}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clock.Advance(time.Second) // within the channel's rate limit
			b, err := json.Marshal(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			req, err := http.NewRequest(http.MethodPost, fake.url()+"/api/v9/channels/"+staffID+"/messages", bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bot "+token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got struct {
				Code    float64         `json:"code"`
				Message string          `json:"message"`
				Errors  json.RawMessage `json:"errors"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusBadRequest || got.Code != tt.code {
				t.Fatalf("answered %d %+v, want 400 with code %v", resp.StatusCode, got, tt.code)
			}
			if tt.errors != "" && string(got.Errors) != tt.errors {
				t.Fatalf("errors %s, want %s", got.Errors, tt.errors)
			}
		})
	}
	// A file over 10 MiB: 413, code 40005.
	clock.Advance(time.Second)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("payload_json", `{"content":"big"}`)
	fw, _ := mw.CreateFormFile("files[0]", "big.csv")
	fw.Write(bytes.Repeat([]byte("x"), 10<<20+1))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, fake.url()+"/api/v9/channels/"+staffID+"/messages", &body)
	req.Header.Set("Authorization", "Bot "+token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct{ Code int }
	json.NewDecoder(resp.Body).Decode(&got)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || got.Code != 40005 {
		t.Fatalf("a file over 10 MiB answered %d %+v, want 413 with 40005", resp.StatusCode, got)
	}
	if n := fake.count(); n != 0 {
		t.Fatalf("the fake showed %d refused messages", n)
	}
}

// Discord's limits hold in UTF-16 units (an emoji is 2), however the text
// is made: emoji, CJK, combining marks. Before, the adapter counted code
// points, and an emoji-heavy field was 2,044 units in a 1,024 limit.
func TestDiscordLimitsInUTF16Units(t *testing.T) {
	c := newChat(t, bottest.Setup{})
	ctx := context.Background()
	accent := strings.Repeat("e\u0301", 3000) // é as e and a combining accent: 2 units each
	m := bot.Message{
		Title:  strings.Repeat("🙂", 300),
		Text:   strings.Repeat("界", 2000) + accent,
		Fields: []bot.Field{{Label: strings.Repeat("👩\u200d💻", 100), Value: strings.Repeat("🙂", 1000)}, {Label: "CJK", Value: strings.Repeat("界", 1100)}, {Label: "Marks", Value: accent}},
	}
	from := c.fake.count()
	ref, err := c.adapter.Channel(staffID).Post(ctx, m)
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	if err := c.adapter.Channel(staffID).Update(ctx, ref, m); err != nil {
		t.Fatalf("Update: %v", err)
	}
	shown, _ := c.fake.since(from)
	if len(shown) != 2 {
		t.Fatalf("shown %d messages", len(shown))
	}
	for _, s := range shown {
		lines := strings.Split(s.text, "\n")
		title, fields := lines[0], lines[2:]
		if n := discord.Units(title); n > limitTitle || n < limitTitle-2 {
			t.Errorf("title of %d units, want just under %d", n, limitTitle)
		}
		for _, f := range fields {
			name, value, _ := strings.Cut(f, ": ")
			if n := discord.Units(value); n > limitFieldValue || n < limitFieldValue-60 {
				t.Errorf("field %.20s: value of %d units", name, n)
			}
			if strings.HasPrefix(name, "Marks") && !strings.HasSuffix(value, "\u0301…") {
				t.Errorf("a combining accent was cut from its letter: %q", value[len(value)-10:])
			}
			if strings.HasPrefix(name, "👩") && !strings.HasSuffix(name, "💻…") {
				t.Errorf("an emoji sequence was cut: %q", name[len(name)-12:])
			}
		}
	}

	// A contact's thread is named within 100 units.
	staff := c.adapter.Staff()
	if _, err := staff.Relay(ctx, "", bot.Message{Title: "💬 " + strings.Repeat("🎉", 120), Text: "> hi"}); err != nil {
		t.Fatalf("Relay: %v", err)
	}
	th := c.fake.waitFor(t, from, "🎉", "thread")
	if n := discord.Units(th.text); n > limitThreadName || n < limitThreadName-2 {
		t.Errorf("thread name of %d units", n)
	}
}

// A message Discord refuses as too long anyway (its count differs from the
// adapter's) is posted again shortened, with its numbers and buttons, and
// says so: the user is not left with nothing.
func TestDiscordRefusedPreviewIsShownShortened(t *testing.T) {
	c := newChat(t, bottest.Setup{Admins: []string{"alice"}})
	c.Type(t, "alice", "numbers add +12065550101 50")
	c.WaitFor(t, "Added")
	c.Type(t, "alice", "add crew +12065550001 Ada")
	c.WaitFor(t, "to crew")
	c.fake.mu.Lock()
	c.fake.allowRefusals = true
	c.fake.mu.Unlock()
	c.fake.refuseAsTooLongNext("POST channels/messages", "waiting for approval")
	c.Type(t, "alice", "send crew Dinner is served")
	got := c.fake.waitFor(t, c.cursor, "Too long for Discord to show", "post")
	for _, want := range []string{"Broadcast #1 to crew: waiting for approval", "Recipients: 1", "Segments: 1 per text"} {
		if !strings.Contains(got.text, want) {
			t.Errorf("the shortened preview lacks %q:\n%s", want, got.text)
		}
	}
	if got.buttons["Approve"] != "approve:1" || got.buttons["Cancel"] != "cancel:1" {
		t.Fatalf("the shortened preview lost its buttons: %v", got.buttons)
	}
	if refused, _ := c.fake.refusals(); len(refused) != 1 {
		t.Fatalf("Discord refused %d posts, want only the first: %+v", len(refused), refused)
	}
	c.Click(t, "alice", "Approve")
	c.WaitFor(t, "finished")
}
