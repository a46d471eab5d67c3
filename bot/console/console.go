// Package console is smsbot's terminal chat: each line of input is a
// message typed by the operator, and answers are printed. It is the third
// adapter of the bot router, next to Slack and Discord, and the way to try
// smsbot without any account.
//
// A line "/sms …" runs a command; "/click <action>" presses the button
// printed with that action; a leading "@name " types the line as user name
// (the default user is "console"). Lines starting with "#" are comments.
// In a /sms line, \n is a line break of the message ("/sms send crew
// Dinner is served\nRoom 2"); \\n is a literal \n. "/quit" (or "/exit")
// stops reading, as the end of input does.
//
// On a terminal (Config.Terminal) the router's markdown is shown in bold
// and colour, and a broadcast's progress is one line redrawn in place
// below a heading with its buttons: on the terminal's last row, kept for
// it while a broadcast runs (when Config.Height is known), so that what
// the operator types is never redrawn over. Elsewhere (a pipe, a file)
// output is plain text, with a compact progress line at each tenth.
// Either way each paused, cancelled or finished state is printed once,
// and everything an attendee wrote is escaped (Escape). At the end of
// input the console says which running broadcasts it waits for and
// about how long, waits for them, and ends saying what is left paused,
// queued or scheduled.
package console

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"smsbot/bot"
	"smsbot/broadcast"
)

// Config configures a Console. Router, In and Out are required.
type Config struct {
	Router *bot.Router
	In     io.Reader
	Out    io.Writer
	// User is who types lines without an @name prefix (default "console").
	User string
	// Wait is called at the end of input; it should return once running
	// broadcasts are done (the engine's WaitIdle).
	Wait func(ctx context.Context) error
	// Dir is where shared files (charts, exports) are written (default ".").
	Dir string
	// Terminal is set when both input and output are a terminal: markdown
	// is then shown in bold and colour, and progress is one line redrawn
	// in place. Unset, output is plain text for scripts and logs.
	Terminal bool
	// Unfinished, when set, returns the broadcasts sending or paused (the
	// engine's Unfinished, with each one's Status): at the end of input
	// the console says which it waits for and about how long, and as it
	// ends which are left.
	Unfinished func(ctx context.Context) ([]broadcast.Progress, error)
	// Scheduled, when set, returns how many schedules are to fire or wait
	// for a decision, and when the next one fires ("" if unknown), for
	// what the console says as it ends.
	Scheduled func(ctx context.Context) (n int, next string, err error)
	// Width, when set, gives the terminal's width in columns (0: unknown,
	// taken as 80); the progress line is cut to it.
	Width func() int
	// Height, when set, gives the terminal's height in rows (0: unknown).
	// With 3 rows or more, the last row is kept for progress while a
	// broadcast runs (a scroll region above it, see statusrow.go), so
	// that redrawing it never touches what the operator is typing; with
	// the height unknown, progress is redrawn on the cursor's line.
	Height func() int
	Logger *slog.Logger
}

// Console is a terminal chat. It implements bot.Conversation.
type Console struct {
	cfg Config
	log *slog.Logger

	mu      sync.Mutex // serializes output and guards the maps and screen
	seq     int
	buttons map[string]bot.Ref // action → the newest message that showed it
	screen  screen

	farewell sync.Once
}

var (
	_ bot.Conversation = (*Console)(nil)
	_ bot.Attacher     = (*Console)(nil)
)

// New returns a Console.
func New(cfg Config) *Console {
	cfg.User = cmp.Or(cfg.User, "console")
	cfg.Dir = cmp.Or(cfg.Dir, ".")
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Console{cfg: cfg, log: cfg.Logger.With("component", "console"), buttons: map[string]bot.Ref{}, screen: newScreen()}
}

// Run reads lines until the end of input (or /quit), then says what it
// waits for and waits for running broadcasts to finish, and ends with
// Farewell. It returns nil on a clean end.
func (c *Console) Run(ctx context.Context) (err error) {
	defer func() {
		// Said even when interrupted: the engine is still open.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		c.Farewell(fctx)
	}()
	sc := bufio.NewScanner(c.cfg.In)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !c.line(ctx, sc.Text()) {
			break
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	if note := c.waitNote(ctx); note != "" {
		c.print(note)
	}
	if c.cfg.Wait != nil {
		if err := c.cfg.Wait(ctx); err != nil {
			return err
		}
		c.settle(ctx, 5*time.Second)
	}
	return nil
}

// line handles one line of input; it returns false to stop reading.
func (c *Console) line(ctx context.Context, text string) bool {
	text = strings.TrimSpace(text)
	user := c.cfg.User
	if strings.HasPrefix(text, "@") {
		name, rest, _ := strings.Cut(text[1:], " ")
		if name != "" {
			user, text = name, strings.TrimSpace(rest)
		}
	}
	word, rest, _ := strings.Cut(text, " ")
	if strings.EqualFold(word, "/sms") {
		word = "/sms" // /SMS and /Sms too
	}
	switch word {
	case "", "#":
		return true
	case "/quit", "/exit":
		return false
	case "/sms":
		if multiline(rest) {
			rest = newlines(rest)
		}
		c.cfg.Router.Command(ctx, bot.Invocation{User: user, Channel: "console", Text: rest, Files: LocalFiles{}}, c)
	case "/click":
		action := strings.TrimSpace(rest)
		c.mu.Lock()
		ref, ok := c.buttons[action]
		c.mu.Unlock()
		if !ok {
			c.print(fmt.Sprintf("⚠️ there is no button %q on screen; copy a /click line from above", action))
			return true
		}
		c.cfg.Router.Click(ctx, bot.Click{User: user, Action: action, Message: ref}, c)
	default:
		if strings.HasPrefix(word, "#") {
			return true
		}
		c.print("⚠️ commands start with /sms; try /sms help")
	}
	return true
}

// Post prints a message.
func (c *Console) Post(_ context.Context, m bot.Message) (bot.Ref, error) {
	c.mu.Lock()
	c.seq++
	ref := bot.Ref(fmt.Sprintf("m%d", c.seq))
	c.mu.Unlock()
	c.show(ref, m, false)
	return ref, nil
}

// Update prints the new version of a message. A terminal cannot edit
// what it printed: progress is one line redrawn in place, on the
// terminal's last row (see progress.go and statusrow.go); other updates
// print the new version, once.
func (c *Console) Update(_ context.Context, ref bot.Ref, m bot.Message) error {
	c.show(ref, m, true)
	return nil
}

func (c *Console) show(ref bot.Ref, m bot.Message, update bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// A button printed earlier stays pressable after an edit took it
	// away: its /click line is still on screen, and the router says why
	// it no longer applies ("already approved"), which a double click on
	// a busy machine meets.
	for _, b := range m.Buttons {
		c.buttons[b.Action] = ref
	}
	if running(m) {
		c.progress(ref, m, update)
		return
	}
	c.block(ref, m, update)
}

// Platform names the console as a staff channel.
func (c *Console) Platform() string { return "console" }

// Relay shows a staff-channel message (an incoming text or a notice). A
// terminal has no threads: each contact's thread is its first message's
// reference, and later texts are marked as replies in it.
func (c *Console) Relay(ctx context.Context, thread string, m bot.Message) (string, error) {
	if thread != "" {
		m.Title = "↳ " + m.Title
	}
	ref, err := c.Post(ctx, m)
	if thread != "" {
		return thread, err
	}
	return string(ref), err
}

func (c *Console) print(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.write(line + "\n")
}

// Render writes a message as plain text (for a file or a pipe), buttons
// as /click lines: see render.
func Render(m bot.Message) string { return render(m, false) }

// render writes a message as terminal text, buttons as /click lines.
// Everything in it goes through Escape first: titles, labels and buttons
// on one line, texts and field values with their line breaks. Then the
// router's markdown is rendered (see markup): with ANSI bold and colour
// on a terminal (tty), without its syntax elsewhere.
func render(m bot.Message, tty bool) string {
	var b strings.Builder
	if m.Title != "" {
		title := markup(Escape(m.Title, true), tty)
		if tty {
			title = ansiBold + title + ansiNoBold
		}
		fmt.Fprintf(&b, "── %s\n", title)
	}
	if m.Text != "" {
		b.WriteString(markup(Escape(m.Text, false), tty) + "\n")
	}
	for _, f := range m.Fields {
		fmt.Fprintf(&b, "   %s: %s\n", Escape(f.Label, true), strings.ReplaceAll(markup(Escape(f.Value, false), tty), "\n", "\n      "))
	}
	for _, btn := range m.Buttons {
		fmt.Fprintf(&b, "   [%s] /click %s\n", Escape(btn.Label, true), Escape(btn.Action, true))
	}
	return b.String()
}
