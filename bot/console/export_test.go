package console

import "smsbot/bot"

// RenderTerminal is render on a terminal, for the tests.
func RenderTerminal(m bot.Message) string { return render(m, true) }
