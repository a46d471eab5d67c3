package bot

import (
	"sync"
	"time"
)

// RefusalLogEvery is the least time between two log lines about refused
// requests (a bad signature, a stale timestamp): anyone can send those, as
// fast as they like, and each must not cost a line.
const RefusalLogEvery = 10 * time.Second

// LogLimit lets a log line through at most once every Every, counting the
// ones held back meanwhile, so that a flood of bad requests cannot flood
// the log; the next line says how many were held back. The Twilio
// webhook and the Slack and Discord adapters share it. It is safe for
// concurrent use.
type LogLimit struct {
	Every time.Duration

	mu   sync.Mutex
	last time.Time
	held int
}

// Allow reports whether to log now, and how many lines were held back
// since the last one logged.
func (l *LogLimit) Allow(now time.Time) (ok bool, held int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.last.IsZero() && now.Sub(l.last) < l.Every {
		l.held++
		return false, 0
	}
	l.last, held, l.held = now, l.held, 0
	return true, held
}
