package discord

import "smsbot/bot"

var _ bot.SharedConversation = (*conversation)(nil)

// ProgressPlatform names Discord for the progress messages replicas
// share: a Ref (channel/message ID) is edited by any replica with the bot
// token.
func (c *conversation) ProgressPlatform() string { return Platform }
