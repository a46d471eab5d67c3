package store

import (
	"encoding/json"
	"fmt"
	"time"

	"smsbot/scheduler"
)

// scheduledPoll is a scheduled poll's question as schedules.poll holds it
// (JSON); closes_in is in seconds after each run, 0 for none.
type scheduledPoll struct {
	Text     string   `json:"text"`
	Options  []string `json:"options"`
	Confirm  string   `json:"confirm"`
	ClosesIn int64    `json:"closes_in"`
}

// encodeScheduledPoll is q as schedules.poll holds it: "" for a plain send.
func encodeScheduledPoll(q *scheduler.Question) (string, error) {
	if q == nil {
		return "", nil
	}
	b, err := json.Marshal(scheduledPoll{Text: q.Text, Options: q.Options, Confirm: q.Confirm, ClosesIn: int64(q.ClosesIn / time.Second)})
	if err != nil {
		return "", fmt.Errorf("store its poll: %w", err)
	}
	return string(b), nil
}

// decodeScheduledPoll reads schedules.poll back: nil for "".
func decodeScheduledPoll(s string) (*scheduler.Question, error) {
	if s == "" {
		return nil, nil
	}
	var p scheduledPoll
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return nil, fmt.Errorf("read its poll: %w", err)
	}
	return &scheduler.Question{Text: p.Text, Options: p.Options, Confirm: p.Confirm, ClosesIn: time.Duration(p.ClosesIn) * time.Second}, nil
}
