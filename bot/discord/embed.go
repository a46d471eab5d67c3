package discord

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/bwmarrin/discordgo"

	"smsbot/bot"
)

// Discord's limits on embeds and components.
const (
	maxTitle       = 256
	maxDescription = 4096
	maxFields      = 25
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxEmbed       = 6000 // all of an embed's text together
	maxLabel       = 80
	buttonsPerRow  = 5
	maxRows        = 5
	inlineUnder    = 40 // field values this short sit side by side
	moreSize       = 30 // room kept for the field that counts fields left out
)

// noMentions keeps relayed texts and names from pinging anyone.
var noMentions = &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}

// embeds renders a router message as one embed: the title, the text as
// its description, and the fields. Fields that would take the embed over
// Discord's 6,000 characters are left out, and a last field counts them;
// the description has what is left.
func embeds(m bot.Message) []*discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Title: clip(m.Title, maxTitle)}
	budget := maxEmbed - len([]rune(e.Title)) - 1 // at least a character of description
	for i, f := range m.Fields {
		name, value := clip(markdown(f.Label), maxFieldName), clip(markdown(f.Value), maxFieldValue)
		if strings.TrimSpace(name) == "" {
			name = "\u200b" // Discord refuses empty names and values
		}
		if strings.TrimSpace(value) == "" {
			value = "—"
		}
		size := len([]rune(name)) + len([]rune(value))
		if left := len(m.Fields) - i; len(e.Fields) == maxFields-1 && left > 1 || size > budget-moreSize {
			e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "…", Value: fmt.Sprintf("%d more not shown", left), Inline: true})
			budget -= moreSize
			break
		}
		budget -= size
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: name, Value: value,
			Inline: len([]rune(value)) <= inlineUnder && !strings.Contains(value, "\n")})
	}
	e.Description = clip(markdown(m.Text), max(1, min(maxDescription, budget+1)))
	if e.Title == "" && e.Description == "" && len(e.Fields) == 0 {
		e.Description = "\u200b"
	}
	return []*discordgo.MessageEmbed{e}
}

// components renders a message's buttons: rows of up to five, whose
// custom IDs are the router's actions.
func components(m bot.Message) []discordgo.MessageComponent {
	rows := []discordgo.MessageComponent{}
	var row discordgo.ActionsRow
	for _, b := range m.Buttons[:min(len(m.Buttons), buttonsPerRow*maxRows)] {
		style := discordgo.SecondaryButton
		switch b.Style {
		case bot.Primary:
			style = discordgo.PrimaryButton
		case bot.Danger:
			style = discordgo.DangerButton
		}
		row.Components = append(row.Components, discordgo.Button{Label: clip(b.Label, maxLabel), Style: style, CustomID: b.Action})
		if len(row.Components) == buttonsPerRow {
			rows = append(rows, row)
			row = discordgo.ActionsRow{}
		}
	}
	if len(row.Components) > 0 {
		rows = append(rows, row)
	}
	return rows
}

// boldRe finds the router's *bold* (Slack's syntax), which Discord shows
// as italics.
var boldRe = regexp.MustCompile(`\*(\S(?:[^*\n]*\S)?)\*`)

// markdown turns the router's markup into Discord's: *bold* becomes
// **bold**, and "](" is broken so a text cannot make a masked link that
// hides where it points.
func markdown(s string) string {
	s = boldRe.ReplaceAllString(s, "**$1**")
	return strings.ReplaceAll(s, "](", "]\u200b(")
}

// clip shortens s to n runes, ending in "…" when cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
