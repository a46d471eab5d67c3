package discord

import (
	"errors"
	"time"

	"github.com/bwmarrin/discordgo"
)

// limitedError is a refusal that says how long Discord wants smsbot to
// wait (retry_after). The relay of incoming texts reads it through its
// RetryAfter method, without importing discordgo.
type limitedError struct {
	err   error
	after time.Duration
}

func (e *limitedError) Error() string             { return e.err.Error() }
func (e *limitedError) Unwrap() error             { return e.err }
func (e *limitedError) RetryAfter() time.Duration { return e.after }

// withRetryAfter wraps err so that callers can read Discord's retry_after,
// when err is a 429 that the adapter gave up on.
func withRetryAfter(err error) error {
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) && rl.RateLimit != nil && rl.TooManyRequests != nil && rl.RetryAfter > 0 {
		return &limitedError{err: err, after: rl.RetryAfter}
	}
	return err
}
