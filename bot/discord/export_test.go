package discord

import (
	"context"
	"encoding/json"
	"io"

	"github.com/bwmarrin/discordgo"

	"smsbot/bot"
)

// GatewayInteraction feeds an interaction, as the gateway delivers it in
// an INTERACTION_CREATE event, to the handler Run installs on the gateway
// session, without a websocket.
func (a *Adapter) GatewayInteraction(raw []byte) {
	var ic discordgo.InteractionCreate
	if err := json.Unmarshal(raw, &ic); err != nil {
		panic(err)
	}
	a.onEvent(nil, &discordgo.Event{Type: "INTERACTION_CREATE", RawData: raw, Struct: &ic})
}

// GatewayMessage feeds a message to the handler Run installs.
func (a *Adapter) GatewayMessage(ev *discordgo.MessageCreate) { a.onMessage(nil, ev) }

// Interaction is the conversation of a command's interaction (its
// deferred response already used), as the router gets it.
func (a *Adapter) Interaction(ix *discordgo.Interaction, limit int) bot.Conversation {
	return &conversation{a: a, channel: ix.ChannelID, ix: ix, limit: limit}
}

// Escape is the escaping of text for Discord's markdown, clipped to n
// UTF-16 units.
func Escape(s string, n int) string { return fit(s, n) }

// Units is the length of s in UTF-16 units.
func Units(s string) int { return units(s) }

// OpenAttachment opens an attachment link as /sms import does.
func (a *Adapter) OpenAttachment(ctx context.Context, link string) (string, io.ReadCloser, error) {
	return files{a: a}.Open(ctx, link)
}
