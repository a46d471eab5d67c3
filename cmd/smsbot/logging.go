package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"smsbot/store"
)

// logFileName is the console's log file, beside the database.
const logFileName = "smsbot.log"

// logSink is where a command's logs go.
type logSink struct {
	log *slog.Logger
	// where says where logs go, for the console's banner.
	where string
	file  *os.File // nil when logging to stderr
}

// close closes the log file, if any.
func (s *logSink) close() error {
	if s.file == nil {
		return nil
	}
	return s.file.Close()
}

// newLogSink opens the logger. serve and import log to stderr. The
// console logs to smsbot.log in the database's directory (the working
// directory for a PostgreSQL DSN), at
// SMSBOT_LOG_LEVEL, and prints nothing of it: stderr is the same screen
// as the chat, and a log line between two answers, or through the
// progress line drawn in place, is what made the console noisy. When the
// file cannot be opened, the console logs warnings and errors to stderr
// instead, and the banner says why.
func (m *Main) newLogSink(console bool) *logSink {
	level := m.Config.LogLevel
	if !console {
		return &logSink{log: newLogger(m.Stderr, level), where: "stderr"}
	}
	dir := filepath.Dir(m.Config.DB)
	if store.IsPostgres(m.Config.DB) {
		dir = "." // a DSN has no directory, and holds a password
	}
	path := filepath.Join(dir, logFileName)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return &logSink{log: newLogger(m.Stderr, max(level, slog.LevelWarn)),
			where: "stderr, warnings only (" + err.Error() + ")"}
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return &logSink{log: newLogger(f, level), where: path, file: f}
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
