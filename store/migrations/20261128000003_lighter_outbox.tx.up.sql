-- Every status change of an outbox row updated every index with the status
-- in it. The send queue now indexes only queued rows, so claiming a row
-- removes one index entry and settling it touches none; counting a
-- broadcast's rows by status reads them through the (broadcast_id,
-- contact_id) unique index; the rows left 'sending' are looked for once, at
-- start, with a scan.
DROP INDEX IF EXISTS messages_status;
DROP INDEX IF EXISTS messages_open;
DROP INDEX IF EXISTS messages_queue;
CREATE INDEX IF NOT EXISTS messages_queued ON messages (sender_id, broadcast_id, id) WHERE status = 'queued';
