package discord

import (
	"cmp"
	"context"
	"errors"
	"time"

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

// arrival is how an interaction came: what its payload says beyond
// discordgo's Interaction, and until when it could come again.
type arrival struct {
	// gateway: it came over the gateway, and was acknowledged through the
	// callback endpoint; else it is a signed HTTP request.
	gateway bool
	// until is when it can no longer be delivered again (see seen).
	until time.Time
	// limit is the most bytes a file in an answer may have.
	limit int
}

// interaction answers an interaction within Discord's 3 seconds, and
// leaves the work (running a command, a click) to a goroutine started
// after the answer. A command or click whose ID was seen before (a
// replayed request, a redelivered event) is not acted on again: over
// HTTP it gets the acknowledgement Discord expects; from the gateway,
// which acknowledged it the first time, nothing.
func (a *Adapter) interaction(i *discordgo.Interaction, arr arrival, respond responder) error {
	ctx, cancel := context.WithTimeout(context.Background(), discordgo.InteractionDeadline)
	defer cancel()
	if (i.Type == discordgo.InteractionApplicationCommand || i.Type == discordgo.InteractionMessageComponent) && !a.seen.first(i.ID, arr.until) {
		a.log.Warn("ignored a repeated interaction", "interaction_id", i.ID, "type", i.Type.String(), "gateway", arr.gateway)
		if arr.gateway {
			return nil
		}
		if i.Type == discordgo.InteractionMessageComponent {
			return respond(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate})
		}
		return respond(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}})
	}
	switch i.Type {
	case discordgo.InteractionPing:
		return respond(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
	case discordgo.InteractionApplicationCommand:
		return a.command(ctx, i, arr, respond)
	case discordgo.InteractionApplicationCommandAutocomplete:
		res := autocompleteResult{Type: discordgo.InteractionApplicationCommandAutocompleteResult}
		res.Data.Choices = a.choices(ctx, i.ApplicationCommandData())
		return respond(ctx, res)
	case discordgo.InteractionMessageComponent:
		return a.click(ctx, i, arr, respond)
	}
	return errUnsupported
}

// command defers the answer (ephemeral: "smsbot is thinking…", for the
// user alone) and runs the command.
func (a *Adapter) command(ctx context.Context, i *discordgo.Interaction, arr arrival, respond responder) error {
	data := i.ApplicationCommandData()
	if data.Name != commandName {
		return errUnsupported
	}
	conv := &conversation{a: a, channel: i.ChannelID, ix: i, limit: arr.limit, deferred: true}
	inv := bot.Invocation{User: userID(i), Channel: i.ChannelID, Text: commandText(data), Files: files{a: a, conv: conv}}
	err := respond(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}})
	if err != nil {
		return err
	}
	a.log.Debug("command", "user", inv.User, "channel", inv.Channel, "text", redactLinks(inv.Text))
	a.spawn(func(ctx context.Context) {
		defer conv.finish(ctx)
		if !a.inStaffChannel(i.ChannelID) {
			// As in Slack: with a staff channel, commands are taken there only.
			a.log.Info("command refused outside the staff channel", "user", inv.User, "channel", i.ChannelID)
			conv.notice(ctx, "⚠️ smsbot takes commands only in <#"+a.cfg.StaffChannel+">")
			return
		}
		a.cfg.Router.Command(ctx, inv, conv)
	})
	return nil
}

// click acknowledges a button press without changing its message
// (deferred update), then lets the router act on it. Clicks obey the rule
// of commands: with a staff channel, only there.
func (a *Adapter) click(ctx context.Context, i *discordgo.Interaction, arr arrival, respond responder) error {
	data := i.MessageComponentData()
	if i.Message == nil || data.CustomID == "" {
		return errUnsupported
	}
	channel := cmp.Or(i.Message.ChannelID, i.ChannelID)
	c := bot.Click{User: userID(i), Action: data.CustomID, Message: ref(channel, i.Message.ID)}
	if !a.inStaffChannel(i.ChannelID) || !a.inStaffChannel(channel) {
		a.log.Info("click refused outside the staff channel", "user", c.User, "channel", i.ChannelID, "action", c.Action)
		return respond(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions,
				Content: "⚠️ smsbot takes clicks only in <#" + a.cfg.StaffChannel + ">"}})
	}
	if err := respond(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}); err != nil {
		return err
	}
	conv := &conversation{a: a, channel: channel, ix: i, limit: arr.limit}
	a.spawn(func(ctx context.Context) { a.cfg.Router.Click(ctx, c, conv) })
	return nil
}

// inStaffChannel reports whether commands and clicks are taken in
// channel: the staff channel, or any without one.
func (a *Adapter) inStaffChannel(channel string) bool {
	return a.cfg.StaffChannel == "" || channel == a.cfg.StaffChannel
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
