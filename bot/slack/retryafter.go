package slack

import (
	"errors"
	"time"

	"github.com/slack-go/slack"
)

// limitedError is a refusal that says how long Slack wants smsbot to wait
// (Retry-After). The relay of incoming texts reads it through its
// RetryAfter method, without importing slack-go.
type limitedError struct {
	err   error
	after time.Duration
}

func (e *limitedError) Error() string             { return e.err.Error() }
func (e *limitedError) Unwrap() error             { return e.err }
func (e *limitedError) RetryAfter() time.Duration { return e.after }

// withRetryAfter wraps err so that callers can read Slack's Retry-After,
// when err is a 429 that slack-go gave up on.
func withRetryAfter(err error) error {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) && rl.RetryAfter > 0 {
		return &limitedError{err: err, after: rl.RetryAfter}
	}
	return err
}
