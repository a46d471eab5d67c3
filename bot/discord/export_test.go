package discord

import "github.com/bwmarrin/discordgo"

// GatewayInteraction feeds an interaction to the handler Run installs on
// the gateway session, without a websocket.
func (a *Adapter) GatewayInteraction(ev *discordgo.InteractionCreate) { a.onInteraction(nil, ev) }

// GatewayMessage feeds a message to the handler Run installs.
func (a *Adapter) GatewayMessage(ev *discordgo.MessageCreate) { a.onMessage(nil, ev) }
