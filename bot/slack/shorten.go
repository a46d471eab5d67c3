package slack

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/slack-go/slack"

	"smsbot/bot"
)

// contentRefusals are Slack's answers to a message it will not show for
// what it holds. Blocks keeps within every documented limit; these come
// from the limits Slack does not document.
var contentRefusals = map[string]bool{
	"invalid_blocks":        true,
	"invalid_blocks_format": true,
	"msg_too_long":          true,
	"msg_blocks_too_long":   true,
}

// refusedFor returns why Slack refused err's message for its content: its
// error code, or "HTTP 400" from a response URL (which answers with the
// code in a body slack-go does not read). "" for any other error.
func refusedFor(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && contentRefusals[se.Err] {
		return se.Err
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) && sc.Code == http.StatusBadRequest {
		return "HTTP 400"
	}
	return ""
}

// orShort sends m; when Slack refuses it for its content, it sends m once
// more in short (shorten), which says so to whoever reads it.
func (a *Adapter) orShort(m bot.Message, send func(rendered) error) error {
	err := send(render(m))
	why := refusedFor(err)
	if why == "" {
		return err
	}
	a.log.Warn("Slack refused a message for its content; sending it in short", "reason", why, "err", bot.Redact(err))
	if err2 := send(render(shorten(m, why))); err2 != nil {
		return fmt.Errorf("%w; in short: %v", err, err2)
	}
	return nil
}

// shortFacts is how many fields the short form keeps, each cut to
// shortFact; the buttons are all kept, so that a preview can still be
// approved or cancelled.
const (
	shortFacts = 4
	shortFact  = 120
)

// shorten is m as Slack cannot refuse it: the title, a line saying that
// the message was too long to show, the first fields' first lines (a
// preview's recipients, segments, senders and ETA), and the buttons.
func shorten(m bot.Message, why string) bot.Message {
	var facts []string
	for _, f := range m.Fields[:min(len(m.Fields), shortFacts)] {
		line, _, _ := strings.Cut(f.Value, "\n")
		facts = append(facts, fitPlain(f.Label, shortFact)+": "+fitPlain(line, shortFact))
	}
	text := "⚠️ Too long for Slack to show in full (" + why + ")"
	if len(facts) > 0 {
		text += "; in short: " + strings.Join(facts, " · ")
	}
	return bot.Message{Title: fitPlain(m.Title, 150), Text: text, Buttons: m.Buttons, Ephemeral: m.Ephemeral}
}
