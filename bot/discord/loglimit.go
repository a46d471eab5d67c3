package discord

import (
	"log/slog"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
)

// refusalLogEvery is the least time between two log lines about refused
// (unsigned or stale) requests: anyone can send them, as fast as they like.
const refusalLogEvery = 10 * time.Second

// logLimit logs a line at most once per period, counting the lines it
// left out since the last one (as "suppressed").
type logLimit struct {
	clock  clockwork.Clock
	period time.Duration

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// warn logs msg with args and the count of lines suppressed before it, or
// counts it when the last line is too recent.
func (l *logLimit) warn(log *slog.Logger, msg string, args ...any) {
	l.mu.Lock()
	now := l.clock.Now()
	if !l.last.IsZero() && now.Sub(l.last) < l.period {
		l.suppressed++
		l.mu.Unlock()
		return
	}
	n := l.suppressed
	l.last, l.suppressed = now, 0
	l.mu.Unlock()
	log.Warn(msg, append(args, "suppressed", n)...)
}
