package main

import (
	"context"
	"net/http"

	"smsbot/bot/discord"
	botslack "smsbot/bot/slack"
	"smsbot/inbound"
	"smsbot/scheduler"
)

// startChat starts the configured chat adapters: their HTTP routes go on
// mux, their long-running connections report on errc. It returns the staff
// channel for incoming texts and scheduler notices (nil when none), and a
// function that waits for the commands being handled.
func (m *Main) startChat(ctx, runCtx context.Context, a *app, mux *http.ServeMux, errc chan<- error) (inbound.Staff, scheduler.Notifier, func(), error) {
	c := m.Config
	var (
		staff   inbound.Staff
		notices scheduler.Notifier // nil: logged only
		closers []func()
	)
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	if c.SlackBotToken != "" {
		sa, err := botslack.New(botslack.Config{
			Router: a.router, BotToken: c.SlackBotToken, AppToken: c.SlackAppToken,
			SigningSecret: c.SlackSigningSecret, APIURL: c.SlackAPIURL, StaffChannel: c.SlackStaffChannel,
			Logger: a.log, MaxImportBytes: c.MaxImportBytes,
		})
		if err != nil {
			return nil, nil, closeAll, err
		}
		closers = append(closers, sa.Close)
		if sa.SocketMode() {
			go func() { errc <- sa.Run(runCtx) }()
		} else {
			sa.Routes(mux)
		}
		if c.SlackStaffChannel != "" {
			a.router.Resume(ctx, sa.Channel(c.SlackStaffChannel))
			staff = sa.Staff()
			notices = a.router.Notices(sa.Channel(c.SlackStaffChannel))
		} else {
			// Progress messages a dead replica left are still continued.
			a.router.KeepAdopting(sa.Channel(""))
		}
		a.log.Info("Slack adapter on", "socket_mode", sa.SocketMode())
	}
	if c.DiscordBotToken != "" {
		da, err := discord.New(discord.Config{
			Router: a.router, Token: c.DiscordBotToken, AppID: c.DiscordAppID, PublicKey: c.DiscordPublicKey,
			GuildID: c.DiscordGuildID, StaffChannel: c.DiscordStaffChannel, Lists: a.store.Lists,
			APIURL: c.DiscordAPIURL, Logger: a.log,
		})
		if err != nil {
			return nil, nil, closeAll, err
		}
		closers = append(closers, da.Close)
		// The gateway always runs, on the replica holding the discord
		// lease: staff replies in threads only come that way.
		closers = append(closers, a.holdGateway(runCtx, da.Run, errc))
		if c.DiscordPublicKey != "" {
			da.Routes(mux)
		}
		if id := c.DiscordStaffChannel; id == "" {
			a.router.KeepAdopting(da.Channel(""))
		} else {
			a.router.Resume(ctx, da.Channel(id))
			if staff == nil {
				staff, notices = da.Staff(), a.router.Notices(da.Channel(id))
			} else {
				a.log.Warn("both Slack and Discord have a staff channel: incoming texts go to Slack's")
			}
		}
		a.log.Info("Discord adapter on", "http_interactions", c.DiscordPublicKey != "")
	}
	return staff, notices, closeAll, nil
}
