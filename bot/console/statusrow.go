package console

import (
	"fmt"
	"io"
	"strings"
)

// The status row. On a terminal whose height is known (Config.Height, 3
// rows or more), a running broadcast's progress has the terminal's last
// row to itself, as apt's progress does: the rows above are a scroll
// region (DECSTBM), where everything else is printed and where the
// terminal echoes what the operator types, and the progress is drawn on
// the last row with the cursor saved and restored around it (DECSC,
// DECRC). A redraw then never touches the line being typed. When no
// broadcast runs any more (and at Farewell) the row is cleared and the
// region reset, leaving the terminal as it was.
//
// A resize is picked up at the next redraw (the height is read each
// time): the region is set again for the new height. A line drawn on the
// old last row may be left where the terminal moved it.
const (
	saveCursor    = "\x1b7"   // DECSC
	restoreCursor = "\x1b8"   // DECRC
	eraseLine     = "\x1b[2K" // EL 2: the whole line
	resetRegion   = "\x1b[r"  // DECSTBM with no margins: the whole screen
	// lineDown moves the cursor down one row in its column, scrolling at
	// the bottom (IND): it makes room for the status row below the cursor.
	lineDown = "\x1bD"
	cursorUp = "\x1b[1A" // CUU 1
)

// write prints text above the progress lines. With a status row it is
// printed in the scroll region and the row is left alone; without one,
// the progress line (on the cursor's line) is cleared, the text printed,
// and the line drawn again below. Callers hold c.mu.
func (c *Console) write(text string) {
	if c.screen.closed {
		return
	}
	if c.screen.drawn {
		io.WriteString(c.cfg.Out, "\r\x1b[2K")
		c.screen.drawn = false
	}
	io.WriteString(c.cfg.Out, text)
	c.redraw()
}

// redraw draws the live progress lines, joined and cut to the terminal's
// width so that they never wrap: on the status row when the terminal's
// height is known (statusrow.go), else on the cursor's line, in place.
// With nothing live, it takes them off the screen (and releases the
// status row). Callers hold c.mu.
func (c *Console) redraw() {
	s := &c.screen
	if !c.cfg.Terminal || s.closed {
		return
	}
	h := c.height()
	if len(s.order) == 0 {
		c.releaseRow(h)
		if s.drawn {
			io.WriteString(c.cfg.Out, "\r\x1b[2K")
			s.drawn = false
		}
		return
	}
	parts := make([]string, len(s.order))
	for i, r := range s.order {
		parts[i] = s.live[r]
	}
	width := 80
	if c.cfg.Width != nil {
		if w := c.cfg.Width(); w > 0 {
			width = w
		}
	}
	line := cut(strings.Join(parts, "  │  "), width-1)
	if h >= minRows {
		if s.drawn { // the height just became known
			io.WriteString(c.cfg.Out, "\r\x1b[2K")
			s.drawn = false
		}
		c.drawRow(line, h)
		return
	}
	c.releaseRow(h) // the terminal became too small, or its height unknown
	io.WriteString(c.cfg.Out, "\r\x1b[2K"+line)
	s.drawn = true
}

// minRows is the least height for a status row: one row for it and two
// for the rest.
const minRows = 3

// height is the terminal's height in rows now, 0 when unknown.
func (c *Console) height() int {
	if c.cfg.Height == nil {
		return 0
	}
	return max(c.cfg.Height(), 0)
}

// setRegion returns what reserves the last row of a terminal of h rows:
// a row is made free below the cursor (the screen scrolls if the cursor
// is on the last row), the region is set to the rows above (which moves
// the cursor home), and the cursor goes back where it was, in the region.
func setRegion(h int) string {
	return lineDown + saveCursor + fmt.Sprintf("\x1b[1;%dr", h-1) + restoreCursor + cursorUp
}

// drawRow draws line, which must fit in one row, on the last row of a
// terminal of h rows, reserving the row first if it is not reserved for
// that height. It is one write, so that the terminal's echo of a typed
// key does not land between its parts. Callers hold c.mu.
func (c *Console) drawRow(line string, h int) {
	s := &c.screen
	if s.rows == h && s.row == line {
		return
	}
	var b strings.Builder
	if s.rows != h {
		b.WriteString(setRegion(h))
		s.rows = h
	}
	fmt.Fprintf(&b, "%s\x1b[%d;1H%s%s%s", saveCursor, h, eraseLine, line, restoreCursor)
	io.WriteString(c.cfg.Out, b.String())
	s.row = line
}

// releaseRow clears the status row and resets the scroll region, the
// cursor staying where it is. h is the terminal's height now (0 when
// unknown: the height the row was reserved for). Callers hold c.mu.
func (c *Console) releaseRow(h int) {
	s := &c.screen
	if s.rows == 0 {
		return
	}
	if h < minRows {
		h = s.rows
	}
	// DECSTBM moves the cursor home: it is saved around it.
	fmt.Fprintf(c.cfg.Out, "%s%s\x1b[%d;1H%s%s", saveCursor, resetRegion, h, eraseLine, restoreCursor)
	s.rows, s.row = 0, ""
}

// Resized draws the status row again for the terminal's size now, the
// scroll region set anew: call it when the terminal is resized
// (SIGWINCH), which resets or moves the region. Without a status row it
// does nothing.
func (c *Console) Resized() {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := &c.screen
	if s.rows == 0 || s.closed {
		return
	}
	if c.height() >= minRows {
		s.rows, s.row = 0, "" // set again, even for the same height
	}
	c.redraw() // too small now: releases the row, draws on the cursor's line
}
