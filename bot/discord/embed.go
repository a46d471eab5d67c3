package discord

import (
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"smsbot/bot"
)

// Discord's limits on embeds and components, in UTF-16 units (see
// units).
const (
	maxContent     = 2000
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
// its description, and the fields, each escaped (markdown) and clipped to
// Discord's limits in UTF-16 units. Fields that would take the embed over
// Discord's 6,000 are left out, and a last field counts them; the
// description has what is left.
func embeds(m bot.Message) []*discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Title: fit(m.Title, maxTitle)}
	budget := maxEmbed - units(e.Title) - 1 // at least a character of description
	for i, f := range m.Fields {
		name, value := fit(f.Label, maxFieldName), fit(f.Value, maxFieldValue)
		if strings.TrimSpace(name) == "" {
			name = "\u200b" // Discord refuses empty names and values
		}
		if strings.TrimSpace(value) == "" {
			value = "—"
		}
		size := units(name) + units(value)
		if left := len(m.Fields) - i; len(e.Fields) == maxFields-1 && left > 1 || size > budget-moreSize {
			e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "…", Value: fmt.Sprintf("%d more not shown", left), Inline: true})
			budget -= moreSize
			break
		}
		budget -= size
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: name, Value: value,
			Inline: units(value) <= inlineUnder && !strings.Contains(value, "\n")})
	}
	e.Description = fit(m.Text, max(1, min(maxDescription, budget+1)))
	if e.Title == "" && strings.TrimSpace(e.Description) == "" && len(e.Fields) == 0 {
		e.Description = "\u200b"
	}
	return []*discordgo.MessageEmbed{e}
}

// minimal is m shortened for a second try after Discord refused it as too
// long (its count differing from ours): the title, the short fields (a
// preview's recipients and segments) and the buttons, which must stay, with
// a line saying it was shortened.
func minimal(m bot.Message) bot.Message {
	out := bot.Message{Title: clip(m.Title, 100), Buttons: m.Buttons, Ephemeral: m.Ephemeral,
		Text: "⚠️ Too long for Discord to show; shortened to the essentials."}
	if m.Title == "" {
		out.Title = "Message too long to show"
	}
	for _, f := range m.Fields {
		if units(f.Label) <= 40 && units(f.Value) <= 100 && len(out.Fields) < 10 {
			out.Fields = append(out.Fields, f)
		}
	}
	return out
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
		row.Components = append(row.Components, discordgo.Button{Label: plain(b.Label, maxLabel), Style: style, CustomID: b.Action})
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
