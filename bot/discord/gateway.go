package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/bwmarrin/discordgo"
)

// intents are the gateway events smsbot needs: servers and channels,
// messages in them (staff replies in threads), and their text. Message
// Content is privileged: turn it on under Bot → Privileged Gateway
// Intents in the Developer Portal.
const intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentMessageContent

// Run registers /sms, connects to the gateway and handles interactions
// and messages until ctx ends. Call it once. With an Interactions
// Endpoint URL set (Routes), Discord sends interactions there instead, and
// the gateway carries the staff's replies in contacts' threads.
func (a *Adapter) Run(ctx context.Context) error {
	if err := a.Register(ctx); err != nil {
		return err
	}
	for _, remove := range []func(){
		a.api.AddHandler(a.onEvent),
		a.api.AddHandler(a.onMessage),
		a.api.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
			a.log.Info("connected to the Discord gateway", "user", r.User.Username, "guilds", len(r.Guilds))
		}),
	} {
		defer remove()
	}
	if err := a.api.Open(); err != nil {
		return fmt.Errorf("discord gateway (check DISCORD_BOT_TOKEN and the Message Content intent): %w", err)
	}
	<-ctx.Done()
	if err := a.api.Close(); err != nil {
		a.log.Warn("closing the Discord gateway failed", "err", err)
	}
	return nil
}

// onEvent takes interactions from the gateway's raw events, whose payload
// has what discordgo's Interaction lacks (attachment_size_limit).
func (a *Adapter) onEvent(_ *discordgo.Session, e *discordgo.Event) {
	if ic, ok := e.Struct.(*discordgo.InteractionCreate); ok && ic.Interaction != nil {
		a.onInteraction(ic.Interaction, sizeLimit(e.RawData))
	}
}

// onInteraction answers an interaction from the gateway through the
// callback endpoint.
func (a *Adapter) onInteraction(i *discordgo.Interaction, limit int) {
	arr := arrival{gateway: true, until: a.clock.Now().Add(tokenLife), limit: limit}
	err := a.interaction(i, arr, func(ctx context.Context, resp any) error {
		endpoint := discordgo.EndpointInteractionResponse(i.ID, i.Token)
		_, err := a.api.RequestWithBucketID(http.MethodPost, endpoint, resp, endpoint, discordgo.WithContext(ctx))
		return err
	})
	switch {
	case errors.Is(err, errUnsupported):
		a.log.Debug("ignored an interaction", "type", i.Type.String())
	case err != nil:
		a.log.Error("answering an interaction failed", "type", i.Type.String(), "err", scrub(err))
	}
}
