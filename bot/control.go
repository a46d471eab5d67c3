package bot

import "smsbot/broadcast"

// checkControl refuses text with a control character other than tab, line
// feed and carriage return: C0 controls, DEL and C1 controls. A NUL would
// cut the SQL that stores it short, and the others would be stored and
// shown as typed, so a command with one is answered before anything is
// written. The error names the first one as U+XXXX.
func checkControl(s string) error {
	for _, r := range s {
		if isControl(r) {
			return broadcast.Errorf(broadcast.EINVALID,
				"your command contains a control character (U+%04X) — remove it and try again", r)
		}
	}
	return nil
}

// isControl reports whether r is a control character a command may not
// hold: every C0 control but \t, \n and \r, DEL, and the C1 controls.
func isControl(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	}
	return false
}
