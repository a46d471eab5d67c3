package console

import (
	"context"
	"fmt"
	"strings"
	"time"

	"smsbot/bot"
	"smsbot/broadcast"
)

// waitNote says, at the end of input, which running broadcasts the
// console waits for and about how long ("" when none). Paused ones are
// not waited for.
func (c *Console) waitNote(ctx context.Context) string {
	if c.cfg.Unfinished == nil {
		return ""
	}
	list, err := c.cfg.Unfinished(ctx)
	if err != nil {
		c.log.Warn("listing unfinished broadcasts failed", "err", err)
		return ""
	}
	var ids []string
	var eta time.Duration
	for _, p := range list {
		if p.Broadcast.Status == broadcast.StatusSending {
			ids = append(ids, fmt.Sprintf("#%d", p.Broadcast.ID))
			eta = max(eta, p.ETA)
		}
	}
	if len(ids) == 0 {
		return ""
	}
	what, them, they := "broadcast "+ids[0], "it", "it resumes"
	if len(ids) > 1 {
		what, them, they = "broadcasts "+andList(ids), "them", "they resume"
	}
	about := ""
	if eta > 0 {
		about = fmt.Sprintf(" (about %s)", bot.HumanDuration(eta))
	}
	return fmt.Sprintf("Waiting for %s to finish%s… press Ctrl-C to leave %s queued: %s when smsbot runs again.", what, about, them, they)
}

// leftNote says what is left when the console ends: broadcasts paused or
// still queued, and schedules to come ("" when nothing is).
func (c *Console) leftNote(ctx context.Context) string {
	var items []string
	if c.cfg.Unfinished != nil {
		list, err := c.cfg.Unfinished(ctx)
		if err != nil {
			c.log.Warn("listing unfinished broadcasts failed", "err", err)
		}
		for _, p := range list {
			b, n := p.Broadcast, p.Counts
			sent := fmt.Sprintf("%d of %d sent", n.Done(), n.Total)
			if n.Done() == 0 {
				sent = "nothing sent yet"
			}
			switch b.Status {
			case broadcast.StatusPaused:
				items = append(items, fmt.Sprintf("#%d paused (%s; /sms resume %d continues it)", b.ID, sent, b.ID))
			case broadcast.StatusSending:
				items = append(items, fmt.Sprintf("#%d queued (%s; it resumes when smsbot runs again)", b.ID, sent))
			}
		}
	}
	if c.cfg.Scheduled != nil {
		n, next, err := c.cfg.Scheduled(ctx)
		if err != nil {
			c.log.Warn("listing schedules failed", "err", err)
		}
		if n > 0 {
			s := fmt.Sprintf("%d schedules pending", n)
			if n == 1 {
				s = "1 schedule pending"
			}
			if next != "" {
				s += ", the next " + next
			}
			items = append(items, s+" (schedules fire only while smsbot runs)")
		}
	}
	if len(items) == 0 {
		return ""
	}
	return "Left: " + strings.Join(items, "; ") + "."
}

// Farewell ends the console's output: it takes the progress line off the
// screen and says what is left paused, queued or scheduled. Run calls it
// as it returns; call it too when the console is interrupted while Run
// still reads. Only the first call prints, and nothing is printed after
// it.
func (c *Console) Farewell(ctx context.Context) {
	c.farewell.Do(func() {
		note := c.leftNote(ctx)
		c.mu.Lock()
		defer c.mu.Unlock()
		clear(c.screen.live)
		c.screen.order = nil
		if note != "" {
			c.write(Escape(note, true) + "\n")
		} else {
			c.redraw() // erases the progress line, if drawn
		}
		// The last word: progress shown as the router closes (a watcher's
		// final update) would come after it, or redraw a progress line
		// under the shell's prompt.
		c.screen.closed = true
	})
}

// andList joins "a", "b" and "c" as "a, b and c".
func andList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
