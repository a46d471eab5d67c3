package main

import "io"

// simOut is where the simulated carrier prints its line per text: stdout
// for serve, nowhere in the console. There a line per text was most of
// the noise around the progress line; the texts are in /sms status,
// /sms stats and /sms export.
func (m *Main) simOut() io.Writer {
	if m.quietSim {
		return io.Discard
	}
	return m.Stdout
}
