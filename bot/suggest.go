package bot

import (
	"context"
	"fmt"
	"strings"

	"smsbot/broadcast"
	"smsbot/scheduler"
)

// This file points a mistaken command at the one meant: words that are
// subcommands elsewhere (rename, delete), misspelt synonyms, a phone where
// send or list expect a list, and a list name mistyped in a schedule.

// listsWords are words typed as commands that are subcommands of lists.
var listsWords = map[string]string{"rename": "lists rename", "delete": "lists delete", "del": "lists delete", "rm": "lists delete"}

// meant returns the command a word that is not one means, or "": a
// subcommand of lists, or the command a synonym stands for. "delete" with
// a list and a phone means remove.
func meant(word, args string, known []string) string {
	word = strings.ToLower(word)
	if t, ok := listsWords[word]; ok {
		if t == "lists delete" && len(words(args)) > 1 {
			return "remove"
		}
		return t
	}
	return synonym(word, known)
}

// unknownCommand is the answer to an unknown command: the command it
// means, or the closest commands, synonyms and lists subcommands by edit
// distance, each named as the command it stands for.
func unknownCommand(name, args string) error {
	known := commandNames()
	msg := fmt.Sprintf("unknown command %q", name)
	if t := meant(name, args, known); t != "" {
		return broadcast.Errorf(broadcast.EINVALID, "%s: did you mean %s?", msg, t)
	}
	candidates := append([]string{}, known...)
	for w := range synonyms {
		candidates = append(candidates, w)
	}
	for w := range listsWords {
		candidates = append(candidates, w)
	}
	var out []string
	seen := map[string]bool{}
	for _, s := range suggest(name, candidates) {
		if t := meant(s, args, known); t != "" {
			s = t
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return broadcast.Errorf(broadcast.EINVALID, "%s; try /sms help", msg)
	}
	return broadcast.Errorf(broadcast.EINVALID, "%s: did you mean %s?", msg, strings.Join(out, " or "))
}

// checkListOrPhone is checkList for send and list, where a phone number
// typed instead of a list is answered with the command for one person: cmd
// ("reply", "contact") with the number, and with the rest of args when
// withRest.
func (r *Router) checkListOrPhone(ctx context.Context, list, args, cmd string, withRest bool) error {
	err := r.checkList(ctx, list)
	if broadcast.ErrorCode(err) != broadcast.ENOTFOUND {
		return err
	}
	raw, rest := splitPhone(args, r.cfg.Region)
	e164, reason := broadcast.CheckPhone(raw, r.cfg.Region)
	if reason != "" {
		return err
	}
	if !withRest {
		rest = ""
	}
	return broadcast.Errorf(broadcast.ENOTFOUND, "%s is a phone number, not a list: did you mean /sms %s?",
		raw, strings.TrimSpace(cmd+" "+e164+" "+rest))
}

// unknownListsSub is the answer to /sms lists <word> with an unknown word:
// the list shown by /sms list when it is one, else the closest
// subcommands, else what lists can do.
func (r *Router) unknownListsSub(ctx context.Context, sub string) error {
	if lists, err := r.dir.Lists(ctx); err == nil {
		for _, l := range lists {
			if l.Name == listName(sub) {
				return broadcast.Errorf(broadcast.EINVALID, "unknown subcommand of lists %q: did you mean /sms list %s?", sub, l.Name)
			}
		}
	}
	known := []string{"rename", "delete"}
	if t := synonym(sub, known); t != "" {
		return broadcast.Errorf(broadcast.EINVALID, "unknown subcommand of lists %q: did you mean %s?", sub, t)
	}
	if s := suggest(sub, known); len(s) > 0 {
		return broadcast.Errorf(broadcast.EINVALID, "unknown subcommand of lists %q: did you mean %s?", sub, strings.Join(s, " or "))
	}
	return broadcast.Errorf(broadcast.EINVALID, "unknown subcommand of lists %q: /sms lists shows them, "+
		"/sms lists rename <old> <new> renames one, /sms lists delete <list> deletes one", sub)
}

// checkScheduleList checks the list a schedule names, as send does, so a
// mistyped one gets the closest names. It is nil when the time cannot be
// read: the scheduler then says why.
func (r *Router) checkScheduleList(ctx context.Context, args string) error {
	_, rest, err := scheduler.ParseWhen(args, r.clock.Now(), r.cfg.Location)
	if err != nil {
		return nil
	}
	list, _ := cutArg(rest)
	if list == "" {
		return nil
	}
	return r.checkList(ctx, list)
}
