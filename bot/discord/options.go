package discord

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// maxChoices is the most suggestions Discord shows; maxChoice is the
// longest name or value of one (UTF-16 units).
const (
	maxChoices = 25
	maxChoice  = 100
)

// commandText turns /sms's options back into the router's text:
// "/sms send list:crew message:Dinner" is "send crew Dinner". Options come
// in the order of the subcommand's params, whatever order Discord sends.
func commandText(data discordgo.ApplicationCommandInteractionData) string {
	group, sub := leaf(data.Options)
	if sub == nil {
		return ""
	}
	s, known := lookup(group, sub.Name)
	if !known {
		// A subcommand the table lacks (a stale registration): its options
		// as they came, for the router to judge.
		s = subcommand{group: group, name: sub.Name}
		for _, o := range sub.Options {
			s.params = append(s.params, param{name: o.Name})
		}
	}
	words := []string{cmp.Or(s.text, strings.TrimSpace(s.group+" "+s.name))}
	for _, p := range s.params {
		for _, o := range sub.Options {
			if o.Name != p.name {
				continue
			}
			if v := format(p, o.Value, data.Resolved); v != "" {
				words = append(words, p.prefix+v)
			}
			break
		}
	}
	return strings.TrimSpace(strings.Join(words, " "))
}

// leaf returns the invoked subcommand and its group, if any.
func leaf(opts []*discordgo.ApplicationCommandInteractionDataOption) (string, *discordgo.ApplicationCommandInteractionDataOption) {
	if len(opts) == 0 {
		return "", nil
	}
	o := opts[0]
	switch o.Type {
	case discordgo.ApplicationCommandOptionSubCommandGroup:
		if len(o.Options) == 0 {
			return o.Name, &discordgo.ApplicationCommandInteractionDataOption{}
		}
		return o.Name, o.Options[0]
	case discordgo.ApplicationCommandOptionSubCommand:
		return "", o
	}
	return "", nil
}

// format writes an option's value as the router reads it. Attachments
// are their URL; numbers are written without exponent; phone numbers lose
// their spaces; a cron spec in <when> is put in quotes.
func format(p param, v any, resolved *discordgo.ApplicationCommandInteractionDataResolved) string {
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case string:
		switch {
		case p.kind == discordgo.ApplicationCommandOptionAttachment:
			if resolved != nil && resolved.Attachments[v] != nil {
				return resolved.Attachments[v].URL
			}
			return ""
		case p.compact:
			return strings.Join(strings.Fields(v), "")
		case p.cron:
			return quoteCron(strings.TrimSpace(v))
		}
		return strings.TrimSpace(v)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// quoteCron puts a cron spec in the quotes the router wants: in a
// separate option, "0 9 * * *" cannot be mistaken for the list name. Other
// times (18:45, tomorrow 09:00, in 30m, @daily) have fewer than five words.
func quoteCron(when string) string {
	f := strings.Fields(when)
	if len(f) < 5 || strings.ContainsAny(when[:1], `"'“`) {
		return when
	}
	return `"` + when + `"`
}

// focused returns the option the user is typing in, during autocomplete.
func focused(opts []*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	for _, o := range opts {
		if o.Focused {
			return o
		}
		if f := focused(o.Options); f != nil {
			return f
		}
	}
	return nil
}

// choices suggests the stored lists whose name contains what the user
// typed, those starting with it first.
func (a *Adapter) choices(ctx context.Context, data discordgo.ApplicationCommandInteractionData) []*discordgo.ApplicationCommandOptionChoice {
	out := []*discordgo.ApplicationCommandOptionChoice{}
	f := focused(data.Options)
	if f == nil || f.Name != listParam.name || a.cfg.Lists == nil {
		return out
	}
	typed, _ := f.Value.(string)
	typed = strings.ToLower(strings.TrimSpace(typed))
	lists, err := a.cfg.Lists(ctx)
	if err != nil {
		a.log.Error("listing lists for autocomplete failed", "err", err)
		return out
	}
	var later []*discordgo.ApplicationCommandOptionChoice
	for _, l := range lists {
		if units(l.Name) > maxChoice {
			continue // Discord refuses the whole answer; the list is typed in full instead
		}
		name := strings.ToLower(l.Name)
		c := &discordgo.ApplicationCommandOptionChoice{Name: plain(fmt.Sprintf("%s · %d contacts", l.Name, l.Members), maxChoice), Value: l.Name}
		switch {
		case strings.HasPrefix(name, typed):
			out = append(out, c)
		case strings.Contains(name, typed):
			later = append(later, c)
		}
	}
	out = append(out, later...)
	return out[:min(len(out), maxChoices)]
}
