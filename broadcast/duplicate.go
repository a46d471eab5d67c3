package broadcast

import (
	"context"
	"strings"
	"time"
)

// RepeatWindow is how far back a preview looks for the same text sent to
// the same list.
const RepeatWindow = 6 * time.Hour

// Repeat is an earlier broadcast of the same text to the same list, within
// RepeatWindow: probably a mistake, so the preview warns of it.
type Repeat struct {
	Broadcast Broadcast
	// Ago is how long before the preview it started.
	Ago time.Duration
}

// sameText reports whether two bodies are the same text once their ends
// are trimmed and every run of white space (spaces, tabs, new lines) is
// one space. Case and punctuation count.
func sameText(a, b string) bool {
	return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
}

// repeat finds the newest broadcast of body to the list that started
// within RepeatWindow of the engine's clock and is sending or sent
// something, or nil.
func (e *Engine) repeat(ctx context.Context, listID int64, body string) (*Repeat, error) {
	now := e.clock.Now()
	recent, err := e.store.SentToList(ctx, listID, now.Add(-RepeatWindow))
	if err != nil {
		return nil, err
	}
	for _, b := range recent {
		if b.StartedAt == nil || !sameText(b.Body, body) {
			continue
		}
		return &Repeat{Broadcast: b, Ago: max(now.Sub(*b.StartedAt), 0)}, nil
	}
	return nil, nil
}
