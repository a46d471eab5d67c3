package bot

// Message is a reply in chat-agnostic form. Text uses *bold* and `code`
// only, which every platform renders or shows harmlessly.
type Message struct {
	// Title is a short heading ("Broadcast #3 to hackers").
	Title string
	// Text is the body: one or more lines.
	Text string
	// Fields are label/value pairs shown as a table or list.
	Fields []Field
	// Progress, when not nil, is a bar from 0 to 1.
	Progress *float64
	Buttons  []Button
	// Ephemeral replies are shown only to the user who typed the command
	// (errors, help). Adapters without ephemeral messages show them normally.
	Ephemeral bool
}

// Field is a label and its value.
type Field struct {
	Label string
	Value string
}

// Style is how a button looks.
type Style string

// Button styles.
const (
	Default Style = ""
	Primary Style = "primary"
	Danger  Style = "danger"
)

// Button is an action the user can click. Action is opaque to adapters:
// they hand it back in a Click.
type Button struct {
	Label  string
	Action string
	Style  Style
}

func reply(text string) Message { return Message{Text: text} }

func ephemeral(text string) Message { return Message{Text: text, Ephemeral: true} }
