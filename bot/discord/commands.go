package discord

import (
	"context"
	"fmt"

	"github.com/bwmarrin/discordgo"
)

// commandName is the one slash command smsbot registers.
const commandName = "sms"

// param is one typed option of a subcommand. Its value becomes one
// argument of the router's text, in the order of the subcommand's params.
type param struct {
	name, desc string
	kind       discordgo.ApplicationCommandOptionType
	required   bool
	// compact drops the spaces of the value (phone numbers), so it stays
	// one word of the router's text.
	compact bool
	// cron puts a cron spec in quotes (<when>).
	cron bool
	// prefix goes before a value given ("--closes ", "| " before a
	// poll's options).
	prefix string
}

// subcommand is one /sms subcommand, in a group (numbers, sim) or not.
type subcommand struct {
	group, name, desc string
	// text is what the router's text starts with; by default the group
	// and the name ("numbers add").
	text   string
	params []param
}

// Options shared by several subcommands. Discord lists required options
// first; the order of params is also the order of the router's arguments.
var (
	listParam    = param{name: "list", desc: "the contact list", kind: discordgo.ApplicationCommandOptionString, required: true}
	phoneParam   = param{name: "phone", desc: "a phone number, like +12065550100", kind: discordgo.ApplicationCommandOptionString, required: true, compact: true}
	messageParam = param{name: "message", desc: "the text to send", kind: discordgo.ApplicationCommandOptionString, required: true}
	idParam      = param{name: "id", desc: "the broadcast's number, as in #3", kind: discordgo.ApplicationCommandOptionInteger, required: true}
	numberParam  = param{name: "number", desc: "+E164 number or Messaging Service SID (MG…)", kind: discordgo.ApplicationCommandOptionString, required: true, compact: true}
)

func optional(p param) param { p.required = false; return p }

// subcommands maps Discord's /sms onto the router's grammar (see
// bot.Router's help). It copies no command logic: each subcommand only
// names the words of the text the router reads.
var subcommands = []subcommand{
	{name: "help", desc: "How to use smsbot"},
	{group: "numbers", name: "list", desc: "The numbers texts are sent from", text: "numbers"},
	{group: "numbers", name: "add", desc: "Add a number to send from", params: []param{numberParam,
		{name: "rate", desc: "segments per second: 1 long code, 3 toll-free, 100 short code", kind: discordgo.ApplicationCommandOptionNumber}}},
	{group: "numbers", name: "remove", desc: "Stop sending from a number; its contacts move to the others", params: []param{numberParam}},
	{group: "lists", name: "list", desc: "Show the contact lists", text: "lists"},
	{group: "lists", name: "rename", desc: "Rename a list", params: []param{listParam,
		{name: "new", desc: "the new name: letters, digits, - _ and .", kind: discordgo.ApplicationCommandOptionString, required: true}}},
	{group: "lists", name: "delete", desc: "Delete a list, after a confirmation; its contacts stay", params: []param{listParam}},
	{name: "list", desc: "A list's members, 20 a page", params: []param{listParam,
		{name: "page", desc: "the page, from 1", kind: discordgo.ApplicationCommandOptionInteger}}},
	{name: "contact", desc: "A contact's lists, number, opt-out and last texts", params: []param{phoneParam}},
	{name: "forget", desc: "Erase a contact everywhere, after a confirmation (privacy requests)", params: []param{phoneParam}},
	{name: "add", desc: "Add a contact to a list (creates the list)", params: []param{listParam, phoneParam,
		{name: "name", desc: "the contact's name", kind: discordgo.ApplicationCommandOptionString}}},
	{name: "remove", desc: "Take a contact off a list", params: []param{listParam, phoneParam}},
	{name: "import", desc: "Import contacts from a CSV file", params: []param{listParam,
		{name: "attachment", desc: "the CSV file", kind: discordgo.ApplicationCommandOptionAttachment, required: true}}},
	{name: "undo-import", desc: "Undo the last import into a list, within 24 hours", text: "import undo", params: []param{listParam}},
	{name: "send", desc: "Preview a broadcast; nothing is sent until someone clicks Approve", params: []param{listParam, messageParam}},
	{name: "schedule", desc: "Send a broadcast later, once or repeatedly", params: []param{
		{name: "when", desc: `18:45, tomorrow 09:00, in 30m, or a cron spec like 0 9 * * *`, kind: discordgo.ApplicationCommandOptionString, required: true, cron: true},
		listParam, messageParam}},
	{name: "schedules", desc: "What is scheduled"},
	{name: "poll", desc: "Ask by text; answers are tallied live here, after approval", params: []param{
		{name: "list", desc: "the contact list, or an answer group like poll:4=2", kind: discordgo.ApplicationCommandOptionString, required: true},
		{name: "question", desc: "the question, like Which shuttle are you taking?", kind: discordgo.ApplicationCommandOptionString, required: true},
		{name: "options", desc: "2 to 9 options separated by |, like 5 pm | 7 pm", kind: discordgo.ApplicationCommandOptionString, required: true, prefix: "| "},
		{name: "closes", desc: "when answers stop counting: 18:00, in 2h, tomorrow 09:00", kind: discordgo.ApplicationCommandOptionString, prefix: "--closes "},
		{name: "confirm", desc: "texted back to each answer; {answer} is the option", kind: discordgo.ApplicationCommandOptionString, prefix: "--confirm "}}},
	{name: "polls", desc: "Open and recent polls, with their answers so far"},
	{name: "unschedule", desc: "Remove a schedule", params: []param{{name: "id", desc: "the schedule's number", kind: discordgo.ApplicationCommandOptionInteger, required: true}}},
	{name: "status", desc: "Recent broadcasts, or one of them", params: []param{optional(idParam)}},
	{name: "stats", desc: "Delivery statistics, with a chart", params: []param{optional(idParam)}},
	{name: "export", desc: "Each recipient's outcome as a CSV file", params: []param{idParam}},
	{name: "pause", desc: "Pause a broadcast", params: []param{idParam}},
	{name: "resume", desc: "Resume a paused broadcast", params: []param{idParam}},
	{name: "cancel", desc: "Cancel a broadcast", params: []param{idParam}},
	{name: "reply", desc: "Text one person from their usual number", params: []param{phoneParam, messageParam}},
	{group: "sim", name: "reply", desc: "Make a contact text in (simulated carrier only)", params: []param{phoneParam, messageParam}},
}

// groupDesc describes the subcommand groups.
var groupDesc = map[string]string{
	"numbers": "The numbers texts are sent from",
	"lists":   "The contact lists",
	"sim":     "The simulated carrier",
}

// lookup finds a subcommand by its group ("" for none) and name.
func lookup(group, name string) (subcommand, bool) {
	for _, s := range subcommands {
		if s.group == group && s.name == name {
			return s, true
		}
	}
	return subcommand{}, false
}

// commands returns /sms as Discord registers it: subcommands, groups for
// numbers and sim, and typed options; list options are autocompleted.
func commands() []*discordgo.ApplicationCommand {
	cmd := &discordgo.ApplicationCommand{Name: commandName, Type: discordgo.ChatApplicationCommand,
		Description: "SMS announcements: lists, previews, approval, progress"}
	groups := map[string]*discordgo.ApplicationCommandOption{}
	for _, s := range subcommands {
		opt := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: s.name, Description: s.desc}
		for _, p := range s.params {
			opt.Options = append(opt.Options, &discordgo.ApplicationCommandOption{Type: p.kind, Name: p.name,
				Description: p.desc, Required: p.required, Autocomplete: p.name == listParam.name})
		}
		if s.group == "" {
			cmd.Options = append(cmd.Options, opt)
			continue
		}
		g := groups[s.group]
		if g == nil {
			g = &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommandGroup, Name: s.group, Description: groupDesc[s.group]}
			groups[s.group] = g
			cmd.Options = append(cmd.Options, g)
		}
		g.Options = append(g.Options, opt)
	}
	return []*discordgo.ApplicationCommand{cmd}
}

// Register overwrites the application's commands with /sms: on
// DISCORD_GUILD_ID when set (available at once), else globally (Discord
// may take up to an hour to show them). Run calls it; call it yourself
// when serving HTTP interactions without the gateway.
func (a *Adapter) Register(ctx context.Context) error {
	_, err := a.api.ApplicationCommandBulkOverwrite(a.cfg.AppID, a.cfg.GuildID, commands(), discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("discord: register /sms (check DISCORD_APP_ID, DISCORD_BOT_TOKEN and, if set, DISCORD_GUILD_ID): %w", scrub(err))
	}
	a.log.Info("registered /sms", "guild_id", a.cfg.GuildID, "subcommands", len(subcommands))
	return nil
}
