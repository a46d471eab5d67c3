-- Incoming texts the store refused even after a few tries, set aside so
-- that the texts behind them (a STOP, say) go on. raw is the text exactly
-- as received, as JSON in base64, so no byte of it can fail again.
CREATE TABLE IF NOT EXISTS dead_letters (
  id          {{.ID}},
  sid         TEXT NOT NULL UNIQUE,
  from_phone  TEXT NOT NULL,
  raw         TEXT NOT NULL,
  error       TEXT NOT NULL,
  received_at {{.Time}} NOT NULL,
  created_at  {{.Time}} NOT NULL,
  notified_at {{.Time}}               -- NULL until staff were told
);
CREATE INDEX IF NOT EXISTS dead_letters_unnotified ON dead_letters (id) WHERE notified_at IS NULL;

-- Relays in order per contact look for a contact's unrelayed texts.
CREATE INDEX IF NOT EXISTS inbound_contact_unrelayed ON inbound_messages (contact_id, id) WHERE relayed_at IS NULL;
