package discord

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"smsbot/bot"
	"smsbot/bot/bottest"
)

// recorder keeps what the router posts.
type recorder []bot.Message

func (r *recorder) Post(_ context.Context, m bot.Message) (bot.Ref, error) {
	*r = append(*r, m)
	return "", nil
}

func (r *recorder) Update(context.Context, bot.Ref, bot.Message) error { return nil }

type opt = discordgo.ApplicationCommandInteractionDataOption

func str(name, v string) *opt {
	return &opt{Name: name, Type: discordgo.ApplicationCommandOptionString, Value: v}
}
func num(name string, v float64, typ discordgo.ApplicationCommandOptionType) *opt {
	return &opt{Name: name, Type: typ, Value: v}
}
func subc(name string, opts ...*opt) *opt {
	return &opt{Name: name, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts}
}
func group(name string, sub *opt) *opt {
	return &opt{Name: name, Type: discordgo.ApplicationCommandOptionSubCommandGroup, Options: []*opt{sub}}
}

func TestCommandText(t *testing.T) {
	const csv = "https://cdn.discordapp.com/attachments/1/2/crew.csv?ex=1&is=2&hm=3"
	resolved := &discordgo.ApplicationCommandInteractionDataResolved{Attachments: map[string]*discordgo.MessageAttachment{"9": {URL: csv}}}
	for _, tt := range []struct {
		name string
		opts []*opt
		want string
	}{
		{"send", []*opt{subc("send", str("list", "crew"), str("message", "Dinner is served"))}, "send crew Dinner is served"},
		{"poll", []*opt{subc("poll", str("options", "5 pm | 7 pm"), str("question", "Which shuttle?"), str("list", "crew"), str("confirm", "Got it: {answer}"), str("closes", "in 2h"))},
			"poll crew Which shuttle? | 5 pm | 7 pm --closes in 2h --confirm Got it: {answer}"},
		{"poll to a group", []*opt{subc("poll", str("list", "poll:4=1"), str("question", "Seat?"), str("options", "A | B"))}, "poll poll:4=1 Seat? | A | B"},
		{"options in any order", []*opt{subc("send", str("message", "Dinner"), str("list", "crew"))}, "send crew Dinner"},
		{"numbers add", []*opt{group("numbers", subc("add", str("number", "+1 206 555 0101"), num("rate", 3, discordgo.ApplicationCommandOptionNumber)))}, "numbers add +12065550101 3"},
		{"fractional rate", []*opt{group("numbers", subc("add", str("number", "+12065550101"), num("rate", 0.5, discordgo.ApplicationCommandOptionNumber)))}, "numbers add +12065550101 0.5"},
		{"numbers add without rate", []*opt{group("numbers", subc("add", str("number", "MG0123")))}, "numbers add MG0123"},
		{"numbers list", []*opt{group("numbers", subc("list"))}, "numbers"},
		{"add with name", []*opt{subc("add", str("list", "crew"), str("phone", "(206) 555-0001"), str("name", "Ada Lovelace"))}, "add crew (206)555-0001 Ada Lovelace"},
		{"status", []*opt{subc("status")}, "status"},
		{"status id", []*opt{subc("status", num("id", 12, discordgo.ApplicationCommandOptionInteger))}, "status 12"},
		{"sim reply", []*opt{group("sim", subc("reply", str("phone", "+12065550001"), str("message", "which room?")))}, "sim reply +12065550001 which room?"},
		{"schedule", []*opt{subc("schedule", str("when", "tomorrow 09:00"), str("list", "crew"), str("message", "Hi"))}, "schedule tomorrow 09:00 crew Hi"},
		{"schedule cron", []*opt{subc("schedule", str("when", "0 9 * * 1-5"), str("list", "crew"), str("message", "Hi"))}, `schedule "0 9 * * 1-5" crew Hi`},
		{"schedule quoted cron", []*opt{subc("schedule", str("when", `"0 9 * * *"`), str("list", "crew"), str("message", "Hi"))}, `schedule "0 9 * * *" crew Hi`},
		{"import", []*opt{subc("import", str("list", "crew"), &opt{Name: "attachment", Type: discordgo.ApplicationCommandOptionAttachment, Value: "9"})}, "import crew " + csv},
		{"lists", []*opt{group("lists", subc("list"))}, "lists"},
		{"lists rename", []*opt{group("lists", subc("rename", str("list", "crew"), str("new", "team")))}, "lists rename crew team"},
		{"list page", []*opt{subc("list", str("list", "crew"), num("page", 2, discordgo.ApplicationCommandOptionInteger))}, "list crew 2"},
		{"forget", []*opt{subc("forget", str("phone", "+1 206 555 0001"))}, "forget +12065550001"},
		{"undo-import", []*opt{subc("undo-import", str("list", "crew"))}, "import undo crew"},
		{"unknown subcommand", []*opt{subc("sned", str("args", "crew Hello"))}, "sned crew Hello"},
		{"nothing", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := commandText(discordgo.ApplicationCommandInteractionData{Name: "sms", Options: tt.opts, Resolved: resolved})
			if got != tt.want {
				t.Fatalf("text %q, want %q", got, tt.want)
			}
		})
	}
}

// Every subcommand is one the router knows, and Discord would take its
// definition.
func TestSubcommandsAreTheRouters(t *testing.T) {
	core := bottest.NewCore(t, bottest.Setup{}, nil)
	for _, s := range subcommands {
		text := s.text
		if text == "" {
			text = strings.TrimSpace(s.group + " " + s.name)
		}
		var rec recorder
		core.Router.Command(context.Background(), bot.Invocation{User: "alice", Text: text}, &rec)
		if len(rec) != 1 || strings.Contains(rec[0].Text, "unknown") {
			t.Errorf("/sms %s: the router answered %+v", text, rec)
		}
		if len(s.desc) == 0 || len(s.desc) > 100 {
			t.Errorf("%s %s: description of %d characters", s.group, s.name, len(s.desc))
		}
		required := true
		for _, p := range s.params {
			if p.required && !required {
				t.Errorf("%s %s: required option %s after an optional one", s.group, s.name, p.name)
			}
			required = p.required
		}
	}
	if cmds := commands(); len(cmds[0].Options) > 25 {
		t.Errorf("%d top-level options; Discord allows 25", len(cmds[0].Options))
	}
}

func TestRender(t *testing.T) {
	m := bot.Message{Title: "Broadcast #1 to crew: waiting for approval", Text: "*Total:* 3 · see [here](https://evil.example)",
		Fields:  []bot.Field{{Label: "Recipients", Value: "3"}, {Label: "Invalid rows", Value: "line 4\nline 5"}, {Label: "Empty", Value: ""}},
		Buttons: []bot.Button{{Label: "Approve", Action: "approve:1", Style: bot.Primary}, {Label: "Cancel", Action: "cancel:1", Style: bot.Danger}, {Label: "Pause", Action: "pause:1"}}}
	e := embeds(m)[0]
	if e.Title != m.Title || !strings.HasPrefix(e.Description, "**Total:** 3") || !strings.Contains(e.Description, `\[here\](https://evil.example)`) {
		t.Fatalf("embed %q / %q", e.Title, e.Description)
	}
	if len(e.Fields) != 3 || !e.Fields[0].Inline || e.Fields[1].Inline || e.Fields[2].Value == "" {
		t.Fatalf("fields %+v", e.Fields)
	}
	row := components(m)[0].(discordgo.ActionsRow)
	want := []discordgo.ButtonStyle{discordgo.PrimaryButton, discordgo.DangerButton, discordgo.SecondaryButton}
	for i, c := range row.Components {
		if b := c.(discordgo.Button); b.Style != want[i] || b.CustomID != m.Buttons[i].Action {
			t.Errorf("button %d: %+v", i, b)
		}
	}
	long := embeds(bot.Message{Text: strings.Repeat("x", 5000)})[0]
	if n := units(long.Description); n != maxDescription {
		t.Errorf("description of %d units", n)
	}
	if len(components(bot.Message{})) != 0 {
		t.Error("buttons from nowhere")
	}
}

func TestRewriteSendsDiscordToTheAPIURL(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = append(got, r.Host+r.URL.Path) }))
	defer srv.Close()
	to, _ := url.Parse(srv.URL + "/prefix/")
	client := &http.Client{Transport: rewrite(nil, to)}
	for _, u := range []string{discordgo.EndpointChannelMessages("42"), srv.URL + "/other"} {
		resp, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	if len(got) != 2 || got[0] != host+"/prefix/api/v9/channels/42/messages" || got[1] != host+"/other" {
		t.Fatalf("requests went to %v", got)
	}
	if discordgo.EndpointAPI != "https://discord.com/api/v9/" {
		t.Fatal("discordgo's endpoints were changed")
	}
}

func TestFileHosts(t *testing.T) {
	api, _ := url.Parse("http://127.0.0.1:8088")
	a := &Adapter{apiURL: api}
	for raw, want := range map[string]bool{
		"https://cdn.discordapp.com/attachments/1/2/a.csv":   true,
		"https://media.discordapp.net/attachments/1/2/a.csv": true,
		"http://cdn.discordapp.com/attachments/1/2/a.csv":    false,
		"https://cdn.discordapp.com:8443/a.csv":              false,
		"https://cdn.discordapp.com.evil.example/a.csv":      false,
		"https://discord.com/api/v9/users/@me":               false,
		"http://127.0.0.1:8088/attachments/a.csv":            true,
		"http://127.0.0.1:9999/attachments/a.csv":            false,
	} {
		u, _ := url.Parse(raw)
		if got := a.fileHost(u); got != want {
			t.Errorf("fileHost(%s) = %v, want %v", raw, got, want)
		}
	}
}
