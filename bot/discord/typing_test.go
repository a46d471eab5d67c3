package discord_test

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// options turns what a user would type after /sms into the options
// Discord's client sends, following /sms as registered (sms): the first
// words pick the subcommand (and its group), then each option takes one
// word, the last one the rest. The client would refuse some of what the
// scenarios type (a rate of "fast", a subcommand that does not exist);
// those are sent anyway, so that the router's answer to them is tested:
// a value that is not a number stays a string, an unknown subcommand gets
// the rest as one option.
func options(sms map[string]any, text string) []any {
	name, rest := cut(text)
	o := find(sms["options"], name)
	if o == nil {
		return []any{sub(name, rest, nil)}
	}
	if o["type"] == float64(2) { // a subcommand group
		name2, rest2 := cut(rest)
		if name2 == "" {
			name2 = "list" // "/sms numbers" is "/sms numbers list"
		}
		return []any{map[string]any{"type": 2, "name": name, "options": []any{sub(name2, rest2, find(o["options"], name2))}}}
	}
	if name == "poll" {
		return []any{pollOptions(rest)}
	}
	return []any{sub(name, rest, o)}
}

// pollFlagRe finds --closes and --confirm in a typed poll.
var pollFlagRe = regexp.MustCompile(`\s--(closes|confirm)\s+`)

// pollOptions fills /sms poll's form as a person would from "<list>
// <question> | <option> | … [--closes <when>] [--confirm <text>]": the
// question before the first |, the options after it, each flag's value.
func pollOptions(rest string) map[string]any {
	opts := []any{}
	add := func(name, v string) {
		if v = strings.TrimSpace(v); v != "" {
			opts = append(opts, map[string]any{"name": name, "type": 3, "value": v})
		}
	}
	list, rest := cut(rest)
	add("list", list)
	flags := ""
	if m := pollFlagRe.FindStringIndex(rest); m != nil {
		rest, flags = rest[:m[0]], rest[m[0]:]
	}
	question, choices, _ := strings.Cut(rest, "|")
	add("question", question)
	add("options", choices)
	ms := pollFlagRe.FindAllStringSubmatchIndex(flags, -1)
	for i, m := range ms {
		end := len(flags)
		if i+1 < len(ms) {
			end = ms[i+1][0]
		}
		add(flags[m[2]:m[3]], flags[m[1]:end])
	}
	return map[string]any{"type": 1, "name": "poll", "options": opts}
}

func sub(name, rest string, def map[string]any) map[string]any {
	opts := []any{}
	if def == nil {
		if rest != "" {
			opts = append(opts, map[string]any{"name": "args", "type": 3, "value": rest})
		}
		return map[string]any{"type": 1, "name": name, "options": opts}
	}
	params, _ := def["options"].([]any)
	for i, p := range params {
		if rest == "" {
			break
		}
		p := p.(map[string]any)
		var v string
		if i == len(params)-1 {
			v, rest = rest, ""
		} else {
			v, rest = cut(rest)
		}
		var value any = v
		if typ := p["type"].(float64); typ == 4 || typ == 10 {
			if n, err := strconv.ParseFloat(v, 64); err == nil {
				value = n
			}
		}
		opts = append(opts, map[string]any{"name": p["name"], "type": p["type"], "value": value})
	}
	return map[string]any{"type": 1, "name": name, "options": opts}
}

func find(opts any, name string) map[string]any {
	list, _ := opts.([]any)
	for _, o := range list {
		if o := o.(map[string]any); o["name"] == name {
			return o
		}
	}
	return nil
}

func cut(s string) (string, string) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}
