package slack

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"smsbot/bot"
)

// Run connects over Socket Mode and handles events until ctx ends. Each
// envelope is acknowledged before it is worked on.
func (a *Adapter) Run(ctx context.Context) error {
	if !a.SocketMode() {
		return errors.New("slack: Run needs SLACK_APP_TOKEN (Socket Mode); HTTP mode uses Routes")
	}
	client := socketmode.New(a.api)
	errc := make(chan error, 1)
	go func() { errc <- client.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack socket mode: %w", bot.Redact(err))
		case evt := <-client.Events:
			a.socketEvent(client, evt)
		}
	}
}

func (a *Adapter) socketEvent(client *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		a.log.Info("connected to Slack over Socket Mode")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth:
		// Socket Mode URLs hold a ticket: the log names their host only.
		a.log.Error("Slack connection problem", "event", string(evt.Type), "data", bot.Redact(fmt.Errorf("%v", evt.Data)).Error())
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		client.Ack(*evt.Request)
		if a.firstEnvelope(evt.Request) {
			a.handleCommand(cmd)
		}
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok || evt.Request == nil {
			return
		}
		client.Ack(*evt.Request)
		if a.firstEnvelope(evt.Request) && !a.redelivered(ev, evt.Request.RetryAttempt, evt.Request.RetryReason) {
			a.handleEvent(ev)
		}
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		client.Ack(*evt.Request)
		if a.firstEnvelope(evt.Request) {
			a.handleInteraction(cb)
		}
	}
}

// firstEnvelope reports whether req's envelope is new within the replay
// window; one delivered again is acknowledged (above) and ignored.
func (a *Adapter) firstEnvelope(req *socketmode.Request) bool {
	if req.EnvelopeID == "" || a.envelopes.first(req.EnvelopeID) {
		return true
	}
	a.log.Info("ignored a repeated Socket Mode envelope", "envelope_id", req.EnvelopeID, "type", req.Type)
	return false
}
