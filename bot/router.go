package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"smsbot/broadcast"
)

// handler runs one subcommand. args is the text after its name.
type handler struct {
	run func(r *Router, ctx context.Context, inv Invocation, args string, conv Conversation) (Message, error)
	// changes marks commands only admins may run.
	changes bool
}

var handlers map[string]handler

func init() {
	// Assigned here, not in the declaration, because the help handler
	// lists the commands.
	handlers = map[string]handler{
		"help":       {run: (*Router).help},
		"numbers":    {run: (*Router).numbers},
		"lists":      {run: (*Router).listsCmd},
		"list":       {run: (*Router).listCmd},
		"members":    {run: (*Router).membersCmd},
		"contact":    {run: (*Router).contactCmd},
		"forget":     {run: (*Router).forgetCmd, changes: true},
		"add":        {run: (*Router).add, changes: true},
		"remove":     {run: (*Router).remove, changes: true},
		"send":       {run: (*Router).send, changes: true},
		"status":     {run: (*Router).status},
		"cancel":     {run: (*Router).cancelCmd, changes: true},
		"pause":      {run: (*Router).pauseCmd, changes: true},
		"resume":     {run: (*Router).resumeCmd, changes: true},
		"reply":      {run: (*Router).replyCmd, changes: true},
		"sim":        {run: (*Router).simCmd, changes: true},
		"import":     {run: (*Router).importOrUndo, changes: true},
		"schedule":   {run: (*Router).scheduleCmd, changes: true},
		"schedules":  {run: (*Router).schedulesCmd},
		"unschedule": {run: (*Router).unscheduleCmd, changes: true},
		"stats":      {run: (*Router).statsCmd},
		"export":     {run: (*Router).exportCmd, changes: true},
		"skipped":    {run: (*Router).skippedCmd},
		"poll":       {run: (*Router).pollCmd, changes: true},
		"polls":      {run: (*Router).pollsCmd},
	}
}

// Command runs one /sms command and posts its answer in conv. Errors are
// answered too, as one ephemeral line; Command itself never fails.
func (r *Router) Command(ctx context.Context, inv Invocation, conv Conversation) {
	name, args := cut(commandText(inv.Text))
	name = strings.ToLower(name)
	log := r.log.With("user", inv.User, "command", name)
	h, ok := handlers[name]
	var m Message
	var err error
	bad := checkControl(inv.Text) // before anything reads or writes it
	switch {
	case bad != nil:
		err = bad
	case name == "":
		m, err = r.help(ctx, inv, "", conv)
	case !ok:
		err = unknownCommand(name, args)
	case h.changes:
		if err = r.access.change(inv.User); err == nil {
			m, err = h.run(r, ctx, inv, args, conv)
		}
	default:
		m, err = h.run(r, ctx, inv, args, conv)
	}
	if err != nil {
		m = r.errorMessage(log, err)
	}
	if m.Text == "" && m.Title == "" {
		return // the handler posted its own answer
	}
	if _, err := conv.Post(ctx, m); err != nil {
		log.Error("posting answer failed", "err", Redact(err))
	}
}

// errorMessage turns an error into a one-line ephemeral answer. Internal
// errors are logged with a reference the user can quote.
func (r *Router) errorMessage(log interface {
	Error(string, ...any)
}, err error) Message {
	if broadcast.ErrorCode(err) == broadcast.EINTERNAL {
		ref := newRef()
		log.Error("command failed", "ref", ref, "err", Redact(err))
		return ephemeral(fmt.Sprintf("⚠️ internal error (ref %s); the details are in smsbot's log", ref))
	}
	return ephemeral("⚠️ " + broadcast.ErrorMessage(err))
}

func newRef() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func commandNames() []string {
	names := make([]string, 0, len(handlers))
	for n := range handlers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// unknown is the answer to an unknown command or subcommand.
func unknown(what, name string, known []string) error {
	msg := fmt.Sprintf("unknown %s %q", what, name)
	if s := synonym(name, known); s != "" {
		msg += fmt.Sprintf(": did you mean %s?", s)
	} else if s := suggest(name, known); len(s) > 0 {
		msg += fmt.Sprintf(": did you mean %s?", strings.Join(s, " or "))
	} else {
		msg += "; try /sms help"
	}
	return broadcast.Errorf(broadcast.EINVALID, "%s", msg)
}

func (r *Router) help(context.Context, Invocation, string, Conversation) (Message, error) {
	return Message{Title: "smsbot: SMS announcements from chat", Ephemeral: true, Text: strings.Join([]string{
		"`/sms numbers` — list the numbers texts are sent from",
		"`/sms numbers add <phone|MG-SID> [segments/s]` — add a number (1/s long code, 3 toll-free, 100 short code)",
		"`/sms numbers remove <phone|MG-SID>` — stop using a number; its contacts move to the others",
		"`/sms lists` — show the lists; `/sms lists rename <old> <new>`, `/sms lists delete <list>` (contacts stay)",
		"`/sms list <list> [page]` — the list's members, with their number and status",
		"`/sms add <list> <phone> [name…]` — add a contact to a list (creates the list)",
		"`/sms import <list> [file]` — import contacts from a CSV file (in Slack: then upload the file)",
		"`/sms import undo <list>` — undo the last import into a list, within 24 hours",
		"`/sms remove <list> <phone>` — take a contact off a list",
		"`/sms contact <phone>` — a contact's lists, number, opt-out and last texts",
		"`/sms forget <phone>` — erase a contact everywhere, for a privacy request (after a confirmation)",
		"`/sms send <list> <message>` — preview a broadcast; nothing is sent until someone clicks Approve",
		"`/sms poll <list> <question> | <option> | <option>…` — ask by text (2–9 options; `--closes 18:00`, `--confirm \"Got it: {answer}\"`); answers are tallied live here",
		"`/sms polls` — open and recent polls; `poll:<id>=<option>` or `poll:<id>=none` in place of a list texts those who answered that, or have not",
		"`/sms schedule <when> <list> <message>` — send later: 18:45, \"tomorrow 09:00\", \"in 30m\", or a cron spec in quotes like \"0 9 * * *\"",
		"`/sms schedule <when> poll:<id>=<n>` or `poll:<id>=none <message>` — send later to a poll's answer group, read when it fires",
		"`/sms schedule <when> poll <list> <question> | <option> | …` — a scheduled poll (`--closes \"in 2h\"` closes each run's poll 2 h after it is sent)",
		"`/sms schedules` — what is scheduled; `/sms unschedule <id>` removes one",
		"`/sms status [id]` — recent broadcasts, or one of them",
		"`/sms skipped <id>` — who a broadcast skips (opted out, invalid) or texts with a merge field empty",
		"`/sms stats [id]` — delivery statistics, with a chart; `/sms export <id>` each recipient's outcome as CSV",
		"`/sms pause <id>`, `/sms resume <id>`, `/sms cancel <id>` control a broadcast",
		"`/sms reply <phone> <message>` — text one person from their usual number (or reply in their thread)",
		"`/sms sim reply <phone> <message>` — make a contact text in (simulated carrier only)",
		"`/sms sim failures [<setting>|off]` — show or change the simulated carrier's failures, like `30003:2%,21610:0.5%,stop:1%`",
		"`/quit` — leave smsbot (console only)",
	}, "\n")}, nil
}
