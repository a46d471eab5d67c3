-- The rate each sender was configured for while it sent a broadcast, so
-- that stats compare what it achieved with what it was asked for then, not
-- with today's rate. A row is added when a run starts (approval, resume,
-- restart) or reloads (a number added or its rate changed mid-run), for
-- each enabled sender with texts still open in the broadcast, only when
-- its rate differs from the last one recorded: the rows of a broadcast
-- and sender are its rates in order.
CREATE TABLE IF NOT EXISTS broadcast_rates (
  id           {{.ID}},
  broadcast_id {{.Ref}} NOT NULL REFERENCES broadcasts (id),
  sender_id    {{.Ref}} NOT NULL REFERENCES senders (id),
  rate         {{.Float}} NOT NULL CHECK (rate > 0),
  since        {{.Time}} NOT NULL
);
CREATE INDEX IF NOT EXISTS broadcast_rates_run ON broadcast_rates (broadcast_id, sender_id, id);
