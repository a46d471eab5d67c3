package slack

import (
	"errors"

	"github.com/slack-go/slack"

	"smsbot/bot/replay"
)

// withRetryAfter wraps err so that callers can read Slack's Retry-After,
// when err is a 429 that slack-go gave up on.
func withRetryAfter(err error) error {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) && rl.RetryAfter > 0 {
		return &replay.Limited{Err: err, After: rl.RetryAfter}
	}
	return err
}
