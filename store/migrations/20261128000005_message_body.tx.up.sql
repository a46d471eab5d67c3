-- The text of one outbox row when merge fields make it differ from the
-- broadcast's; NULL when it is the broadcast's body.
ALTER TABLE messages ADD COLUMN body TEXT;
