package bot

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"smsbot/broadcast"
	"smsbot/scheduler"
)

// pollDraft is a /sms poll command read: who it goes to and what it asks.
type pollDraft struct {
	List     string
	Group    broadcast.Group
	Question broadcast.Question
}

// pollFlag finds the options that may end a poll command; anyFlag any
// word that looks like one.
var (
	pollFlag = regexp.MustCompile(`(?i)(^|\s)--(closes|confirm)(\s|$)`)
	anyFlag  = regexp.MustCompile(`(^|\s)(--[\pL-]+)`)
)

// parsePoll reads "<list> <question> | <option> | <option>… [--closes
// <when>] [--confirm <text>]"; now and loc read the closing time.
func parsePoll(args string, now time.Time, loc *time.Location) (pollDraft, error) {
	var d pollDraft
	main, flags := args, ""
	if m := pollFlag.FindStringIndex(args); m != nil {
		main, flags = args[:m[0]], args[m[0]:]
	}
	if m := anyFlag.FindStringSubmatch(main); m != nil {
		return d, broadcast.Errorf(broadcast.EINVALID, "unknown option %s: a poll takes --closes <when> and --confirm <text>, after the options", m[2])
	}
	target, rest := cutArg(main)
	if target == "" || !strings.Contains(rest, "|") {
		return d, usage(`poll <list> <question> | <option> | <option>… [--closes 18:00] [--confirm "Got it: {answer}"]`)
	}
	g, isGroup, err := parseGroup(target)
	if err != nil {
		return d, err
	}
	if isGroup {
		d.Group = g
	} else {
		d.List = target
	}
	parts := strings.Split(rest, "|")
	d.Question.Text = strings.TrimSpace(parts[0])
	for _, o := range parts[1:] {
		d.Question.Options = append(d.Question.Options, strings.Join(strings.Fields(o), " "))
	}
	for flags != "" {
		m := pollFlag.FindStringSubmatchIndex(flags)
		if m == nil {
			break
		}
		name := strings.ToLower(flags[m[4]:m[5]])
		value := flags[m[1]:]
		next := pollFlag.FindStringIndex(value)
		flags = ""
		if next != nil {
			value, flags = value[:next[0]], value[next[0]:]
		}
		raw := strings.TrimSpace(value)
		value = unquote(raw)
		switch name {
		case "closes":
			at, err := closingTime(value, now, loc)
			if err != nil && raw != value {
				if w, _, qerr := scheduler.ParseWhen(raw, now, loc); qerr == nil && w.Recurring() {
					_, err = closingTime(raw, now, loc) // a cron spec in quotes: say a poll closes once
				}
			}
			if err != nil {
				return d, err
			}
			d.Question.ClosesAt = &at
		case "confirm":
			if value == "" {
				return d, broadcast.Errorf(broadcast.EINVALID, `--confirm needs a text, like --confirm "Got it: {answer}. Reply again to change."`)
			}
			d.Question.Confirm = value
		}
	}
	return d, nil
}

// closingTime reads --closes: a time like 18:00 or "in 2h", not a cron.
func closingTime(value string, now time.Time, loc *time.Location) (time.Time, error) {
	if value == "" {
		return time.Time{}, broadcast.Errorf(broadcast.EINVALID, `--closes needs a time, like --closes 18:00 or --closes "in 2h"`)
	}
	w, rest, err := scheduler.ParseWhen(value, now, loc)
	switch {
	case err != nil:
		return time.Time{}, err
	case w.Recurring():
		return time.Time{}, broadcast.Errorf(broadcast.EINVALID, `a poll closes once: give --closes a time like 18:00 or "in 2h", not a cron spec`)
	case strings.TrimSpace(rest) != "":
		return time.Time{}, broadcast.Errorf(broadcast.EINVALID, "--closes %s: I read the time as %s and do not know what %q means", value, strings.TrimSpace(strings.TrimSuffix(value, rest)), strings.TrimSpace(rest))
	}
	return w.At, nil
}

// unquote takes off one pair of quotes around s, straight or curly.
func unquote(s string) string {
	for _, q := range [][2]string{{`"`, `"`}, {"'", "'"}, {"“", "”"}} {
		if len(s) >= len(q[0])+len(q[1]) && strings.HasPrefix(s, q[0]) && strings.HasSuffix(s, q[1]) {
			return s[len(q[0]) : len(s)-len(q[1])]
		}
	}
	return s
}

// groupRe is a poll's answer group as a list selector: poll:4=2,
// poll:#4=none.
var groupRe = regexp.MustCompile(`(?i)^poll:#?(\d+)(?:=(\w*))?$`)

// parseGroup reads a list selector naming a poll's answer group. ok is
// false when s is not one (a list name).
func parseGroup(s string) (g broadcast.Group, ok bool, err error) {
	if !strings.HasPrefix(strings.ToLower(s), "poll:") {
		return g, false, nil
	}
	m := groupRe.FindStringSubmatch(s)
	if m == nil {
		return g, true, broadcast.Errorf(broadcast.EINVALID, "%q is not an answer group: write poll:<id>=<option number>, like poll:4=2, or poll:4=none for those who have not answered", s)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	g.Poll = id
	switch opt := strings.ToLower(m[2]); {
	case opt == "":
		return g, true, broadcast.Errorf(broadcast.EINVALID, "poll:%d needs an answer: poll:%d=1 for those who answered 1, or poll:%d=none for those who have not answered", id, id, id)
	case opt == "none":
		return g, true, nil
	default:
		n, err := strconv.Atoi(opt)
		if err != nil || n < 1 || n > broadcast.MaxPollOptions {
			return g, true, broadcast.Errorf(broadcast.EINVALID, "poll:%d=%s: the answer is an option number (1 to %d) or none", id, m[2], broadcast.MaxPollOptions)
		}
		g.Option = n
		return g, true, nil
	}
}
