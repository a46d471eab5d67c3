package slack_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"smsbot/bot"
	"smsbot/bot/bottest"
	botslack "smsbot/bot/slack"
)

// hostile are texts an attendee can put in front of staff (a name from a
// registration form, a text message), and how Slack must be sent them so
// that it shows them as typed: no mention, no link, no reordered or hidden
// text.
var hostile = []struct {
	name, in, want string
}{
	{"channel mention", "hi <!channel> and <!here|here>", "hi &lt;!channel&gt; and &lt;!here|here&gt;"},
	{"user mention", "ask <@U0ADMIN> or <!subteam^S0123>", "ask &lt;@U0ADMIN&gt; or &lt;!subteam^S0123&gt;"},
	{"channel link", "see <#C0STAFF|staff>", "see &lt;#C0STAFF|staff&gt;"},
	{"masked link", "<https://evil.example/refund|https://tickets.example.com>", "&lt;https://evil.example/refund|https://tickets.example.com&gt;"},
	{"mailto and date", "<mailto:a@evil.example|Support> <!date^1392734382^{date}|x>", "&lt;mailto:a@evil.example|Support&gt; &lt;!date^1392734382^{date}|x&gt;"},
	{"entities", "Fish &amp; chips &lt;b&gt; &#60;", "Fish &amp;amp; chips &amp;lt;b&amp;gt; &amp;#60;"},
	{"angle brackets", "a < b > c", "a &lt; b &gt; c"},
	{"markdown", "*URGENT* _now_ ~x~ `rm` ```code```", "*URGENT* _now_ ~x~ `rm` ```code```"},
	{"quote marker at line start", "> quoted\n> again", "> quoted\n> again"},
	{"RTL override", "invoice\u202Egnp.exe", "invoice[U+202E]gnp.exe"},
	{"isolates and embeddings", "\u2066a\u2069 \u202Ab\u202C", "[U+2066]a[U+2069] [U+202A]b[U+202C]"},
	{"zero width", "ad\u200Bmin \uFEFFx \u2060y", "ad[U+200B]min [U+FEFF]x [U+2060]y"},
	{"blank name", "\u3164\u115F", "[U+3164][U+115F]"},
	{"line separator", "ok\u2028*Approved by admin*", "ok[U+2028]*Approved by admin*"},
	{"control characters", "a\x1b[31mred\x07\u0085", "a[U+001B][31mred[U+0007][U+0085]"},
	{"carriage return", "one\r\ntwo", "one\ntwo"},
	{"emoji and joiners kept", "👩\u200D👩\u200D👧 ❤\uFE0F 🇩🇪 می\u200Cخواهم", "👩\u200D👩\u200D👧 ❤\uFE0F 🇩🇪 می\u200Cخواهم"},
	{"subdivision flag kept, stray tags named", "🏴\U000E0067\U000E0062\U000E007F x\U000E0041", "🏴\U000E0067\U000E0062\U000E007F x[U+E0041]"},
}

// Every text smsbot shows in Slack, in blocks and in the fallback text
// that notifications show, is escaped the same way.
func TestSlackEscapesHostileText(t *testing.T) {
	for _, tt := range hostile {
		t.Run(tt.name, func(t *testing.T) {
			m := bot.Message{Title: tt.in, Text: tt.in, Fields: []bot.Field{{Label: tt.in, Value: tt.in}}}
			texts := blockTexts(t, botslack.Blocks(m))
			want := []string{"*" + tt.want + "*", tt.want, "*" + tt.want + "*\n" + tt.want}
			if strings.Join(texts, "\x00") != strings.Join(want, "\x00") {
				t.Errorf("blocks:\n got %q\nwant %q", texts, want)
			}
			if got, want := botslack.Fallback(m), tt.want+"\n"+tt.want; got != want {
				t.Errorf("fallback:\n got %q\nwant %q", got, want)
			}
		})
	}
}

// What Slack is sent, posted, edited, relayed to the staff channel or
// shown to one user, has its text field escaped like its blocks: Slack
// notifies from the text field.
func TestSlackSendsEscapedTextFields(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	ctx := context.Background()
	m := bot.Message{Title: "💬 <!channel>", Text: "> <https://evil.example|https://tickets.example.com> \u202Eok"}
	want := "💬 &lt;!channel&gt;\n> &lt;https://evil.example|https://tickets.example.com&gt; [U+202E]ok"
	conv := c.adapter.Channel(staffID)
	ref, err := conv.Post(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if err := conv.Update(ctx, ref, m); err != nil {
		t.Fatal(err)
	}
	c.clock.Advance(time.Second) // within the channel's rate limit
	if _, err := c.adapter.Staff().Relay(ctx, "", m); err != nil {
		t.Fatal(err)
	}
	c.Type(t, "U0ALICE", "numbers add <!channel>") // the router's answer quotes it
	c.WaitFor(t, "channel")
	all, _ := c.fake.since(0)
	if len(all) != 4 {
		t.Fatalf("shown %d messages, want 4:\n%s", len(all), dump(all))
	}
	for _, s := range all[:3] {
		if s.field != want {
			t.Errorf("%s sent the text field %q, want %q", s.kind, s.field, want)
		}
	}
	if f := all[3].field; all[3].kind != "ephemeral" || strings.Contains(f, "<!") || !strings.Contains(f, "&lt;!channel&gt;") {
		t.Errorf("the %s answer's text field is %q", all[3].kind, f)
	}
}

// Buttons are plain_text, which Slack does not parse: only hidden
// characters are named.
func TestSlackButtonLabelsShowHiddenCharacters(t *testing.T) {
	blocks := botslack.Blocks(bot.Message{Buttons: []bot.Button{{Label: "Approve & <go>\u202E", Action: "approve:1"}}})
	texts := blockTexts(t, blocks)
	if len(texts) != 1 || texts[0] != "Approve & <go>[U+202E]" {
		t.Fatalf("button label %q", texts)
	}
}

// Every mrkdwn text is verbatim: Slack does not turn URLs or names into
// links or mentions on its own.
func TestSlackTextsAreVerbatim(t *testing.T) {
	for _, b := range botslack.Blocks(bot.Message{Title: "t", Text: "https://evil.example @channel #staff", Fields: []bot.Field{{Label: "l", Value: "v"}}}) {
		s, ok := b.(*slack.SectionBlock)
		if !ok {
			continue
		}
		objs := append([]*slack.TextBlockObject{s.Text}, s.Fields...)
		for _, o := range objs {
			if o != nil && o.Type == slack.MarkdownType && !o.Verbatim {
				t.Errorf("%q is not verbatim", o.Text)
			}
		}
	}
}

// blockTexts returns every text of blocks, in order, as sent to Slack.
func blockTexts(t testing.TB, blocks []slack.Block) []string {
	t.Helper()
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var parsed []any
	if err := json.Unmarshal(raw, &parsed); err != nil {
		t.Fatal(err)
	}
	var texts []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if s, ok := v["text"].(string); ok {
				texts = append(texts, s)
			}
			for _, k := range []string{"text", "fields", "elements"} {
				walk(v[k])
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(parsed)
	return texts
}
