-- Texts received from contacts, stored once per Twilio MessageSid.
CREATE TABLE IF NOT EXISTS inbound_messages (
  id          {{.ID}},
  sid         TEXT NOT NULL UNIQUE,
  contact_id  {{.Ref}} NOT NULL REFERENCES contacts (id),
  from_phone  TEXT NOT NULL,
  to_phone    TEXT NOT NULL,
  body        TEXT NOT NULL,
  media       TEXT NOT NULL DEFAULT '', -- media URLs, one per line
  keyword     TEXT NOT NULL DEFAULT '',
  received_at {{.Time}} NOT NULL,
  relayed_at  {{.Time}}                 -- NULL until shown to staff
);
CREATE INDEX IF NOT EXISTS inbound_contact ON inbound_messages (contact_id, received_at);
CREATE INDEX IF NOT EXISTS inbound_unrelayed ON inbound_messages (id) WHERE relayed_at IS NULL;

-- Texts staff sent from chat to one contact.
CREATE TABLE IF NOT EXISTS replies (
  id           {{.ID}},
  contact_id   {{.Ref}} NOT NULL REFERENCES contacts (id),
  sender_id    {{.Ref}} NOT NULL REFERENCES senders (id),
  body         TEXT NOT NULL,
  status       TEXT NOT NULL,
  provider_sid TEXT,
  error_code   TEXT NOT NULL DEFAULT '',
  error_text   TEXT NOT NULL DEFAULT '',
  sent_by      TEXT NOT NULL,
  created_at   {{.Time}} NOT NULL,
  updated_at   {{.Time}} NOT NULL
);
CREATE INDEX IF NOT EXISTS replies_sid ON replies (provider_sid) WHERE provider_sid IS NOT NULL;

-- The staff-channel thread of each contact, per chat platform.
CREATE TABLE IF NOT EXISTS threads (
  contact_id {{.Ref}} NOT NULL REFERENCES contacts (id),
  platform   TEXT NOT NULL,
  ref        TEXT NOT NULL,
  PRIMARY KEY (contact_id, platform)
);
CREATE UNIQUE INDEX IF NOT EXISTS threads_ref ON threads (platform, ref);

-- Named positions of background work (the Twilio poller's high-water marks).
CREATE TABLE IF NOT EXISTS cursors (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- When each contact last got the automatic reply.
CREATE TABLE IF NOT EXISTS auto_replies (
  contact_id {{.Ref}} PRIMARY KEY REFERENCES contacts (id),
  sent_at    {{.Time}} NOT NULL
);
