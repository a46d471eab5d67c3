package slack

import "smsbot/bot"

var _ bot.SharedConversation = (*conversation)(nil)

// ProgressPlatform names Slack for the progress messages replicas share:
// a Ref (channel/timestamp) is edited by any replica with the bot token.
func (c *conversation) ProgressPlatform() string { return Platform }
