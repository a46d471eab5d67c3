package discord

import (
	"errors"

	"github.com/bwmarrin/discordgo"

	"smsbot/bot/replay"
)

// withRetryAfter wraps err so that callers can read Discord's retry_after,
// when err is a 429 that the adapter gave up on.
func withRetryAfter(err error) error {
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) && rl.RateLimit != nil && rl.TooManyRequests != nil && rl.RetryAfter > 0 {
		return &replay.Limited{Err: err, After: rl.RetryAfter}
	}
	return err
}
