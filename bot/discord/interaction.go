package discord

import (
	"cmp"
	"context"
	"errors"

	"github.com/bwmarrin/discordgo"

	"smsbot/bot"
)

// responder sends an interaction's first response: as the answer to
// Discord's HTTP request, or to the callback endpoint over REST.
type responder func(ctx context.Context, resp any) error

// errUnsupported is the error of interactions smsbot does not handle.
var errUnsupported = errors.New("discord: unsupported interaction")

// autocompleteResult is an autocomplete response. discordgo's own type
// omits an empty choice list, which Discord requires.
type autocompleteResult struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data struct {
		Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
	} `json:"data"`
}

// interaction answers an interaction within Discord's 3 seconds, and
// leaves the work (running a command, a click) to a goroutine started
// after the answer.
func (a *Adapter) interaction(i *discordgo.Interaction, respond responder) error {
	ctx, cancel := context.WithTimeout(context.Background(), discordgo.InteractionDeadline)
	defer cancel()
	switch i.Type {
	case discordgo.InteractionPing:
		return respond(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
	case discordgo.InteractionApplicationCommand:
		return a.command(ctx, i, respond)
	case discordgo.InteractionApplicationCommandAutocomplete:
		res := autocompleteResult{Type: discordgo.InteractionApplicationCommandAutocompleteResult}
		res.Data.Choices = a.choices(ctx, i.ApplicationCommandData())
		return respond(ctx, res)
	case discordgo.InteractionMessageComponent:
		return a.click(ctx, i, respond)
	}
	return errUnsupported
}

// command defers the answer (ephemeral: "smsbot is thinking…", for the
// user alone) and runs the command.
func (a *Adapter) command(ctx context.Context, i *discordgo.Interaction, respond responder) error {
	data := i.ApplicationCommandData()
	if data.Name != commandName {
		return errUnsupported
	}
	inv := bot.Invocation{User: userID(i), Channel: i.ChannelID, Text: commandText(data), Files: files{a: a, channel: i.ChannelID}}
	err := respond(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}})
	if err != nil {
		return err
	}
	a.log.Debug("command", "user", inv.User, "channel", inv.Channel, "text", inv.Text)
	conv := &conversation{a: a, channel: i.ChannelID, ix: i, deferred: true}
	a.spawn(func(ctx context.Context) {
		defer conv.finish(ctx)
		if staff := a.cfg.StaffChannel; staff != "" && i.ChannelID != staff {
			// As in Slack: with a staff channel, commands are taken there only.
			a.log.Info("command refused outside the staff channel", "user", inv.User, "channel", i.ChannelID)
			_, _ = conv.Post(ctx, bot.Message{Ephemeral: true, Text: "⚠️ smsbot takes commands only in <#" + staff + ">"})
			return
		}
		a.cfg.Router.Command(ctx, inv, conv)
	})
	return nil
}

// click acknowledges a button press without changing its message
// (deferred update), then lets the router act on it.
func (a *Adapter) click(ctx context.Context, i *discordgo.Interaction, respond responder) error {
	data := i.MessageComponentData()
	if i.Message == nil || data.CustomID == "" {
		return errUnsupported
	}
	channel := cmp.Or(i.Message.ChannelID, i.ChannelID)
	c := bot.Click{User: userID(i), Action: data.CustomID, Message: ref(channel, i.Message.ID)}
	if err := respond(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}); err != nil {
		return err
	}
	conv := &conversation{a: a, channel: channel, ix: i}
	a.spawn(func(ctx context.Context) { a.cfg.Router.Click(ctx, c, conv) })
	return nil
}

// userID is who caused an interaction: the member in a server, the user
// in a direct message.
func userID(i *discordgo.Interaction) string {
	switch {
	case i.Member != nil && i.Member.User != nil:
		return i.Member.User.ID
	case i.User != nil:
		return i.User.ID
	}
	return ""
}
