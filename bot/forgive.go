package bot

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"smsbot/broadcast"
)

// This file makes commands forgiving: a command word in any case, words
// people use for a command (synonyms), unknown list names answered with
// the closest existing ones, and arguments given in the wrong order
// answered with the corrected command.

// synonyms maps words people type for a command to the commands meant,
// best first; the first one that exists is suggested.
var synonyms = map[string][]string{
	"members":   {"list", "lists"},
	"member":    {"list", "lists"},
	"contacts":  {"list", "lists"},
	"show":      {"list", "lists"},
	"delete":    {"remove"},
	"del":       {"remove"},
	"rm":        {"remove"},
	"broadcast": {"send"},
	"text":      {"send"},
	"stop":      {"cancel"},
}

// synonym returns the known name meant by a synonym, or "".
func synonym(name string, known []string) string {
	for _, want := range synonyms[strings.ToLower(name)] {
		for _, k := range known {
			if k == want {
				return k
			}
		}
	}
	return ""
}

// commandText strips a leading "/sms" (in any case) that an adapter left
// in the text, so "/SMS send …" and "send …" are the same command.
func commandText(s string) string {
	word, rest := cut(s)
	if strings.EqualFold(word, "/sms") || strings.EqualFold(word, "sms") && rest != "" && isCommand(rest) {
		return rest
	}
	return s
}

// isCommand reports whether s starts with a command name.
func isCommand(s string) bool {
	w, _ := cut(s)
	_, ok := handlers[strings.ToLower(w)]
	return ok
}

// listName reads a list name as typed: quotes around it ("friends",
// 'friends', “friends”) are dropped, so the name is quoted once in answers.
func listName(s string) string {
	for _, q := range quotes {
		if len(s) >= len(q[0])+len(q[1]) && strings.HasPrefix(s, q[0]) && strings.HasSuffix(s, q[1]) {
			return s[len(q[0]) : len(s)-len(q[1])]
		}
	}
	return s
}

// checkList returns an ENOTFOUND error naming the closest existing lists
// when there is no list called name, and nil when there is one.
func (r *Router) checkList(ctx context.Context, name string) error {
	lists, err := r.dir.Lists(ctx)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(lists))
	for _, l := range lists {
		if l.Name == name {
			return nil
		}
		names = append(names, l.Name)
	}
	msg := fmt.Sprintf("there is no list named \"%s\"", name)
	if s := suggest(name, names); len(s) > 0 {
		msg += fmt.Sprintf("; did you mean %s?", strings.Join(s, " or "))
	} else {
		msg += " (see /sms lists)"
	}
	return broadcast.Errorf(broadcast.ENOTFOUND, "%s", msg)
}

// phoneFirst recognises "<phone> <list> [rest…]" where "<list> <phone>
// [rest…]" was meant, and returns the corrected command's arguments.
func phoneFirst(args, region string) (list, phone, rest string, ok bool) {
	raw, after := splitPhone(args, region)
	e164, reason := broadcast.CheckPhone(raw, region)
	if reason != "" || after == "" {
		return "", "", "", false
	}
	list, rest = cutArg(after)
	if validListName(list) != nil || phoneWord(list, false) {
		return "", "", "", false
	}
	return list, e164, rest, true
}

// swapped is the answer to arguments in the wrong order: it shows the
// corrected command.
func swapped(what, typed string, corrected ...string) error {
	return broadcast.Errorf(broadcast.EINVALID, "%s is %s, not a list: did you mean /sms %s?",
		typed, what, strings.Join(strings.Fields(strings.Join(corrected, " ")), " "))
}

// fileExts are the endings of files an import reads.
var fileExts = map[string]bool{".csv": true, ".tsv": true, ".txt": true, ".xlsx": true, ".xls": true, ".ods": true, ".vcf": true}

// looksLikeFile reports whether a word is a file name or path rather than a
// list name.
func looksLikeFile(s string) bool {
	return strings.ContainsAny(s, `/\`) || fileExts[strings.ToLower(filepath.Ext(s))]
}

// senderAddress splits "<phone|MG-SID> [rest]": the phone may be written in
// any form a contact's may ("+1 206 555 0199", "(206) 555-0199") and is
// returned in E.164. What is not a valid phone is returned as typed, for
// the engine to say why it is refused.
func (r *Router) senderAddress(s string) (addr, rest string) {
	raw, rest := splitPhone(s, r.cfg.Region)
	if e164, reason := broadcast.CheckPhone(raw, r.cfg.Region); reason == "" {
		return e164, rest
	}
	return raw, rest
}

// newListHint looks at the list an add names before it is created. When
// there is no such list but the words after the phone are exactly an
// existing list's name ("add Bob +1… friends"), the list and the name were
// swapped: that is refused with the corrected command. When the new name is
// close to existing ones ("frends"), the list is still created, and hint
// says what was maybe meant and how to take it back. Both are "" and nil
// for a list that exists.
func (r *Router) newListHint(ctx context.Context, list, phone, name string) (hint string, err error) {
	lists, err := r.dir.Lists(ctx)
	if err != nil {
		return "", err
	}
	names := make([]string, 0, len(lists))
	for _, l := range lists {
		if l.Name == list {
			return "", nil
		}
		names = append(names, l.Name)
	}
	if w := words(name); len(w) == 1 {
		other := listName(w[0])
		for _, n := range names {
			if n == other {
				return "", broadcast.Errorf(broadcast.EINVALID, "%s is a list and %s is not: did you mean /sms add %s %s %s?",
					n, list, n, phone, list)
			}
		}
	}
	if s := suggest(list, names); len(s) > 0 {
		return fmt.Sprintf(" (did you mean %s? `/sms lists delete %s` takes it back)", strings.Join(s, " or "), list), nil
	}
	return "", nil
}
