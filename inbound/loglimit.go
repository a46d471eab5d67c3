package inbound

import (
	"sync"
	"time"
)

// logLimit lets a log line through at most once every `every`, counting
// the ones held back meanwhile, so that a flood of bad requests cannot
// flood the log. It is safe for concurrent use.
type logLimit struct {
	every time.Duration

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// allow reports whether to log now, and how many lines were held back
// since the last one logged.
func (l *logLimit) allow(now time.Time) (ok bool, suppressed int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.last.IsZero() && now.Sub(l.last) < l.every {
		l.suppressed++
		return false, 0
	}
	l.last, suppressed, l.suppressed = now, l.suppressed, 0
	return true, suppressed
}
