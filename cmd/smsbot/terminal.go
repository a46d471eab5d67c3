package main

import (
	"golang.org/x/term"
)

// fder is an *os.File, or anything else with a file descriptor.
type fder interface{ Fd() uintptr }

// isTerminal reports whether stream is a terminal.
func isTerminal(stream any) bool {
	f, ok := stream.(fder)
	return ok && term.IsTerminal(int(f.Fd()))
}

// terminalWidth returns a function giving stream's width in columns now
// (0 when unknown), for the console's progress line: a terminal may be
// resized while it runs.
func terminalWidth(stream any) func() int {
	return func() int {
		w, _ := terminalSize(stream)
		return w
	}
}

// terminalHeight returns a function giving stream's height in rows now
// (0 when unknown), for the console's status row (its last row).
func terminalHeight(stream any) func() int {
	return func() int {
		_, h := terminalSize(stream)
		return h
	}
}

// terminalSize is stream's width and height now, 0 and 0 when unknown.
func terminalSize(stream any) (width, height int) {
	f, ok := stream.(fder)
	if !ok {
		return 0, 0
	}
	w, h, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0, 0
	}
	return w, h
}
