package discord_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"smsbot/bot"
	"smsbot/bot/bottest"
	"smsbot/inbound"
)

// A relay that Discord keeps refusing tells the relay loop how long
// Discord wants it to wait, without the core importing discordgo.
func TestDiscordStaffRelayCarriesRetryAfter(t *testing.T) {
	c := newChat(t, bottest.Setup{})
	c.fake.rateLimitNext("POST channels/messages", "later", 30*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.adapter.Staff().Relay(ctx, "", bot.Message{Text: "later"})
	var ra inbound.RetryAfterError
	if !errors.As(err, &ra) || ra.RetryAfter() != 30*time.Second {
		t.Fatalf("Relay = %v, want an error with RetryAfter 30s", err)
	}
}
