package slack_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot"
	"smsbot/bot/bottest"
	"smsbot/inbound"
)

// A relay that Slack keeps refusing tells the relay loop how long Slack
// wants it to wait, without the core importing slack-go.
func TestSlackStaffRelayCarriesRetryAfter(t *testing.T) {
	c := newHTTPChatWith(t, bottest.Setup{}, clockwork.NewRealClock())
	c.fake.rateLimitNext("chat.postMessage", "later", 30*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.adapter.Staff().Relay(ctx, "", bot.Message{Title: "💬 +12065550001", Text: "later"})
	var ra inbound.RetryAfterError
	if !errors.As(err, &ra) || ra.RetryAfter() != 30*time.Second {
		t.Fatalf("Relay = %v, want an error with RetryAfter 30s", err)
	}
}
