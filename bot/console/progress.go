package console

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"smsbot/bot"
)

// screen is what the console keeps of its output: the live progress
// lines and what it printed of each message, so that a broadcast's
// progress takes one line and each of its states is printed once.
type screen struct {
	live   map[bot.Ref]string // ref → its progress line, while it runs
	order  []bot.Ref          // live refs, oldest first
	drawn  bool               // without a status row: a progress line is on the cursor's line
	rows   int                // the height the status row is reserved for (0: none; statusrow.go)
	row    string             // what the status row shows
	header map[bot.Ref]string // the heading printed above a ref's progress
	step   map[string]int     // not a terminal: a broadcast's last tenth printed, by subject
	block  map[string]string  // title → the last block an update printed
	edited edited             // messages with buttons, to print their edits short
	// running holds the refs showing a running broadcast; drained, when
	// set, is closed once it is empty (see settle).
	running map[bot.Ref]bool
	drained chan struct{}
	closed  bool // after Farewell: nothing more is printed
}

func newScreen() screen {
	return screen{live: map[bot.Ref]string{}, header: map[bot.Ref]string{},
		step: map[string]int{}, block: map[string]string{}, running: map[bot.Ref]bool{}, edited: edited{}}
}

// running reports whether m is a broadcast's progress while it sends: a
// bar without a Resume button (a paused broadcast is a block, printed
// once, with that button), or a cancellation waiting for texts in flight.
func running(m bot.Message) bool {
	for _, b := range m.Buttons {
		if strings.HasPrefix(b.Action, "resume:") {
			return false
		}
	}
	return m.Progress != nil || strings.HasSuffix(m.Title, ": cancelling")
}

// progress shows m, the progress of ref; update tells an edit from a new
// message. On a terminal, a heading (the title and the buttons, on one
// line) is printed when it changes, and the progress is the last line,
// redrawn in place. Elsewhere, a compact line is printed at each tenth of
// the way, once per broadcast, however many messages show its progress
// (so at most 11 of them); an answer (/sms status 1) in a tenth already
// printed is printed whole, as an answer, not as another progress line.
// On a terminal too, an answer about a broadcast whose progress is shown
// is printed whole.
func (c *Console) progress(ref bot.Ref, m bot.Message, update bool) {
	s := &c.screen
	if c.cfg.Terminal && !update && c.showsLive(m) {
		// An answer (/sms status 1) about a broadcast whose progress is
		// on screen: no one edits it, so it is no second progress line,
		// left stale on the last row.
		c.write(render(m, true))
		return
	}
	s.running[ref] = true
	// When it stops, its block is printed whole.
	delete(s.edited, ref)
	for title := range s.block { // running again: its next pause is news
		if subject(title) == subject(m.Title) {
			delete(s.block, title)
		}
	}
	if !c.cfg.Terminal && m.Progress != nil {
		step := int(math.Floor(min(max(*m.Progress, 0), 1) * 10))
		key := subject(m.Title)
		if last, ok := s.step[key]; ok && step <= last {
			if !update {
				c.write(render(m, false))
			}
			return
		}
		s.step[key] = step
	}
	if head := heading(m); s.header[ref] != head {
		s.header[ref] = head
		c.write(head + "\n")
	}
	line := progressLine(m)
	if !c.cfg.Terminal {
		if m.Progress == nil { // cancelling: once
			if s.live[ref] == line {
				return
			}
			s.live[ref] = line
		}
		c.write(line + "\n")
		return
	}
	if old, ok := s.live[ref]; ok && old == line {
		return
	}
	if _, ok := s.live[ref]; !ok {
		s.order = append(s.order, ref)
	}
	s.live[ref] = line
	c.redraw()
}

// showsLive reports whether the progress of m's broadcast is on screen.
func (c *Console) showsLive(m bot.Message) bool {
	want := subject(Escape(m.Title, true))
	for _, r := range c.screen.order {
		if subject(strings.TrimPrefix(c.screen.header[r], "── ")) == want {
			return true
		}
	}
	return false
}

// block prints m whole. A ref that showed progress leaves the progress
// line. An update like the last one printed under its title (a broadcast
// paused, cancelled or finished, told twice) is not printed again; for a
// paused broadcast, new counts alone do not make it new. An edit that
// keeps the title and buttons is printed short (see edited).
func (c *Console) block(ref bot.Ref, m bot.Message, update bool) {
	s := &c.screen
	if s.running[ref] {
		delete(s.running, ref)
		if len(s.running) == 0 && s.drained != nil {
			close(s.drained)
			s.drained = nil
		}
	}
	if _, ok := s.live[ref]; ok {
		delete(s.live, ref)
		for i, r := range s.order {
			if r == ref {
				s.order = append(s.order[:i], s.order[i+1:]...)
				break
			}
		}
	}
	delete(s.header, ref)
	out := s.edited.print(ref, m, update, c.cfg.Terminal)
	if update && m.Title != "" {
		key := render(withoutCounts(m), false)
		if s.block[m.Title] == key {
			c.redraw()
			return
		}
		s.block[m.Title] = key
	}
	c.write(out)
}

// withoutCounts is m without what changes as texts go: the bar and the
// counts of a progress message.
func withoutCounts(m bot.Message) bot.Message {
	if m.Progress == nil {
		return m
	}
	m.Text = ""
	var fields []bot.Field
	for _, f := range m.Fields {
		switch f.Label {
		case "Sent", "Failed", "Skipped", "Remaining":
		default:
			fields = append(fields, f)
		}
	}
	m.Fields = fields
	return m
}

// settle waits, at most max, until every running broadcast on screen has
// shown its final state: the engine is idle before the router's last
// update is printed, and what is left is said after it.
func (c *Console) settle(ctx context.Context, max time.Duration) {
	c.mu.Lock()
	if len(c.screen.running) == 0 {
		c.mu.Unlock()
		return
	}
	if c.screen.drained == nil {
		c.screen.drained = make(chan struct{})
	}
	ch := c.screen.drained
	c.mu.Unlock()
	t := time.NewTimer(max)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-ctx.Done():
	}
}

// subject is the broadcast a title is about, "Broadcast #3 to crew", or
// the title itself.
func subject(title string) string {
	i := strings.Index(title, "Broadcast #")
	if i < 0 {
		return title
	}
	rest := title[i:]
	if j := strings.Index(rest, ": "); j >= 0 {
		return rest[:j]
	}
	return rest
}

// heading is a progress message's title and buttons on one line.
func heading(m bot.Message) string {
	h := "── " + Escape(m.Title, true)
	for _, b := range m.Buttons {
		h += fmt.Sprintf("   [%s] /click %s", Escape(b.Label, true), Escape(b.Action, true))
	}
	return h
}

// progressLine is a progress message in one line, about 75 columns for
// a short list name: "#3 to crew ▓▓▓▓▓▓▓▓▓▓░░░░░░░░░░ 50% · sent 5 ·
// failed 0 · remaining 5 · ETA 5s".
func progressLine(m bot.Message) string {
	title := Escape(m.Title, true)
	if i := strings.Index(title, "Broadcast #"); i >= 0 {
		title = title[i+len("Broadcast "):]
	}
	title = strings.TrimSuffix(title, ": sending") // the usual state, in the heading: room for the counts
	parts := []string{title}
	if m.Progress != nil {
		frac := min(max(*m.Progress, 0), 1)
		n := int(frac*20 + 0.5)
		parts[0] += fmt.Sprintf(" %s%s %d%%", strings.Repeat("▓", n), strings.Repeat("░", 20-n), int(frac*100))
	} else if m.Text != "" {
		parts[0] += " · " + markup(Escape(m.Text, true), false)
	}
	for _, f := range m.Fields {
		label, value := Escape(f.Label, true), markup(Escape(f.Value, true), false)
		if value == "0" && label != "Sent" && label != "Failed" && label != "Remaining" {
			continue
		}
		if label != "" && label != strings.ToUpper(label) && label[0] >= 'A' && label[0] <= 'Z' {
			label = string(label[0]+'a'-'A') + label[1:]
		}
		parts = append(parts, label+" "+value)
	}
	return strings.Join(parts, " · ")
}

// cut shortens s to at most n runes, ending it with "…" when cut.
func cut(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
