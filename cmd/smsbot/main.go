// Command smsbot is a chat-ops SMS announcement broadcaster. Run it with
// no arguments for a terminal console on a simulated carrier; see README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"smsbot/bot"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain()
	if err := m.ParseFlags(os.Args[1:], os.Getenv); err != nil {
		if errors.Is(err, errHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "smsbot:", err)
		os.Exit(2)
	}
	if err := m.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		var running *alreadyRunningError
		if errors.As(err, &running) {
			fmt.Fprintln(os.Stderr, running) // a sentence starting "smsbot is already running"
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "smsbot:", bot.Redact(err)) // no URL path (tokens), no phone number
		os.Exit(1)
	}
}

// Main is the smsbot program: its configuration and standard streams.
type Main struct {
	Config  Config
	Command string
	Args    []string
	List    string // smsbot import -list
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
	// Listening, when set, is called with the HTTP server's address once
	// serve listens (tests use :0).
	Listening func(addr string)
	// MetricsListening, when set, is called with the address of the
	// /metrics server once it listens (SMSBOT_METRICS_ADDR).
	MetricsListening func(addr string)

	quietSim bool // set by the console: the simulated carrier prints no line per text
}

// NewMain returns a Main on the process's standard streams.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
}

// Run runs the chosen command until it ends or ctx is cancelled.
func (m *Main) Run(ctx context.Context) error {
	switch m.Command {
	case "":
		if m.Config.chat() {
			return m.runServe(ctx)
		}
		return m.runConsole(ctx)
	case "console":
		return m.runConsole(ctx)
	case "serve":
		return m.runServe(ctx)
	case "import":
		return m.runImport(ctx)
	case "version":
		_, err := fmt.Fprintln(m.Stdout, versionText(debug.ReadBuildInfo()))
		return err
	}
	return fmt.Errorf("unknown command %q: try smsbot -h", m.Command)
}
