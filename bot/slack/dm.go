package slack

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"smsbot/bot"
)

// sendFile uploads a file to the direct message between the bot and
// user, and says where it went. Exports and import reports hold phone
// numbers: they go to the person who asked, never to the channel. It
// needs the im:write scope (conversations.open) and files:write.
func (a *Adapter) sendFile(ctx context.Context, user string, p slack.UploadFileParameters) (string, error) {
	if user == "" {
		return "", errors.New("upload " + p.Filename + ": no user to send it to")
	}
	dm, _, _, err := a.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
	if err != nil {
		return "", fmt.Errorf("conversations.open with %s: %w", user, bot.Redact(err))
	}
	p.Channel, p.Channels, p.ThreadTimestamp = dm.ID, nil, ""
	if _, err := a.api.UploadFileContext(ctx, p); err != nil {
		return "", fmt.Errorf("upload %s: %w", p.Filename, bot.Redact(err))
	}
	return "sent to you in a direct message as " + p.Filename, nil
}
