// Package replay holds what the chat adapters share to send a refused
// Web API call again: whether its body can be resent, a fresh copy of it,
// waits on an injected clock that never outlast the caller's deadline, and
// an error that tells the caller how long the platform wants it to wait.
package replay

import (
	"context"
	"net/http"
	"time"

	"github.com/jonboulle/clockwork"
)

// Replayable reports whether r's body can be sent again.
func Replayable(r *http.Request) bool {
	return r.Body == nil || r.Body == http.NoBody || r.GetBody != nil
}

// Rewind returns a copy of r with a fresh body.
func Rewind(r *http.Request) (*http.Request, error) {
	c := r.Clone(r.Context())
	if r.GetBody != nil {
		b, err := r.GetBody()
		if err != nil {
			return nil, err
		}
		c.Body = b
	}
	return c, nil
}

// Fits reports whether waiting d leaves time before ctx's deadline (a
// wall-clock time, as every context's is).
func Fits(ctx context.Context, d time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return !ok || time.Until(deadline) > d
}

// Sleep waits d on clock, or until ctx ends.
func Sleep(ctx context.Context, clock clockwork.Clock, d time.Duration) error {
	timer := clock.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.Chan():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Limited is a refusal that says how long the platform wants smsbot to
// wait (Retry-After). The relay of incoming texts reads it through its
// RetryAfter method, without importing a platform's SDK.
type Limited struct {
	Err   error
	After time.Duration
}

func (e *Limited) Error() string { return e.Err.Error() }

// Unwrap returns the platform's error.
func (e *Limited) Unwrap() error { return e.Err }

// RetryAfter is how long the platform asked to wait.
func (e *Limited) RetryAfter() time.Duration { return e.After }
