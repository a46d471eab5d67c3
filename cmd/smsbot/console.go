package main

import (
	"context"
	"fmt"
	"time"

	"smsbot/bot/console"
)

// runConsole runs the terminal chat until the end of input, then waits
// for running broadcasts to finish. Its logs go to smsbot.log beside the
// database (logging.go), and the simulated carrier prints no line per
// text, so that the screen holds the chat alone.
func (m *Main) runConsole(ctx context.Context) error {
	m.quietSim = true
	a, err := m.openLogged(ctx, true)
	if err != nil {
		return err
	}
	defer a.close()
	fmt.Fprint(m.Stdout, m.banner(a))
	var con *console.Console
	con = console.New(console.Config{
		Router: a.router, In: m.Stdin, Out: m.Stdout, Logger: a.log,
		// Broadcasts first, then the simulated carrier's receipts.
		Wait: func(ctx context.Context) error { return a.idle(con)(ctx) },
		// Bold, colour and a progress line redrawn in place only when a
		// person types and reads; a pipe on either side gets plain lines.
		Terminal: isTerminal(m.Stdin) && isTerminal(m.Stdout),
		Width:    terminalWidth(m.Stdout),
		// Progress keeps the last row while a broadcast runs, so that
		// redrawing it never touches the line being typed.
		Height: terminalHeight(m.Stdout),
		// At the end of input it says what it waits for; on exit, what is left.
		Unfinished: a.unfinished, Scheduled: a.scheduled,
	})
	if isTerminal(m.Stdout) {
		defer onResize(con.Resized)() // the status row follows the terminal's size
	}
	a.router.Resume(ctx, con)
	inboundCtx, stopInbound := context.WithCancel(ctx)
	defer stopInbound()
	if err := m.startInbound(inboundCtx, a, con); err != nil {
		return err
	}
	if err := a.sched.Start(ctx, a.router.Notices(con)); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- con.Run(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		// Interrupted: stop cleanly; queued texts resume at the next start.
		a.log.Info("interrupted; unfinished broadcasts will resume at next start")
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		con.Farewell(fctx) // says what is left, even while Run still reads
		return ctx.Err()
	}
}
