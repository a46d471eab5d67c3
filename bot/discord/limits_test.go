package discord_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot"
	"smsbot/bot/bottest"
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
	if n := fake.count(); n != 0 {
		t.Fatalf("the fake showed %d refused messages", n)
	}
}
