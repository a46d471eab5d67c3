-- Senders: Twilio "from" numbers or Messaging Service SIDs, paced at rate
-- segments per second. Removed senders are disabled, never deleted, so the
-- outbox keeps pointing at them.
CREATE TABLE IF NOT EXISTS senders (
  id          INTEGER PRIMARY KEY,
  address     TEXT    NOT NULL UNIQUE,
  rate        REAL    NOT NULL CHECK (rate > 0),
  enabled     BOOLEAN NOT NULL DEFAULT 1,
  created_at  TIMESTAMP NOT NULL,
  removed_at  TIMESTAMP
);

CREATE TABLE IF NOT EXISTS contacts (
  id             INTEGER PRIMARY KEY,
  phone          TEXT NOT NULL UNIQUE,
  name           TEXT NOT NULL DEFAULT '',
  opted_out_at   TIMESTAMP,
  invalid_reason TEXT NOT NULL DEFAULT '',
  created_at     TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS lists (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
  created_at TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS memberships (
  list_id    INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  added_at   TIMESTAMP NOT NULL,
  PRIMARY KEY (list_id, contact_id)
) WITHOUT ROWID;

-- Sticky senders: a contact is always texted from the same sender.
CREATE TABLE IF NOT EXISTS assignments (
  contact_id  INTEGER PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
  sender_id   INTEGER NOT NULL REFERENCES senders (id),
  assigned_at TIMESTAMP NOT NULL
);
CREATE INDEX IF NOT EXISTS assignments_sender ON assignments (sender_id);

CREATE TABLE IF NOT EXISTS broadcasts (
  id           INTEGER PRIMARY KEY,
  body         TEXT    NOT NULL,
  list_id      INTEGER NOT NULL REFERENCES lists (id),
  status       TEXT    NOT NULL,
  requested_by TEXT    NOT NULL,
  approved_by  TEXT    NOT NULL DEFAULT '',
  segments     INTEGER NOT NULL,
  encoding     TEXT    NOT NULL,
  queued       BOOLEAN NOT NULL DEFAULT 0,
  created_at   TIMESTAMP NOT NULL,
  approved_at  TIMESTAMP,
  started_at   TIMESTAMP,
  finished_at  TIMESTAMP
);
CREATE INDEX IF NOT EXISTS broadcasts_status ON broadcasts (status);

-- The durable outbox: one row per broadcast and contact. A row is
-- 'sending' before its provider call and 'sent' with its SID after.
CREATE TABLE IF NOT EXISTS messages (
  id               INTEGER PRIMARY KEY,
  broadcast_id     INTEGER NOT NULL REFERENCES broadcasts (id),
  contact_id       INTEGER NOT NULL REFERENCES contacts (id),
  to_phone         TEXT    NOT NULL,
  sender_id        INTEGER REFERENCES senders (id),
  status           TEXT    NOT NULL,
  provider_sid     TEXT,
  error_code       TEXT    NOT NULL DEFAULT '',
  error_text       TEXT    NOT NULL DEFAULT '',
  attempts         INTEGER NOT NULL DEFAULT 0,
  segments         INTEGER NOT NULL,
  next_attempt_at  TIMESTAMP NOT NULL,
  first_attempt_at TIMESTAMP,
  last_attempt_at  TIMESTAMP,
  sent_at          TIMESTAMP,
  delivered_at     TIMESTAMP,
  updated_at       TIMESTAMP NOT NULL,
  UNIQUE (broadcast_id, contact_id)
);
CREATE INDEX IF NOT EXISTS messages_queue ON messages (sender_id, status, broadcast_id, id);
CREATE INDEX IF NOT EXISTS messages_status ON messages (broadcast_id, status);
CREATE INDEX IF NOT EXISTS messages_open ON messages (status) WHERE status = 'sending';
CREATE INDEX IF NOT EXISTS messages_sid ON messages (provider_sid) WHERE provider_sid IS NOT NULL;

CREATE TABLE IF NOT EXISTS audit_log (
  id      INTEGER PRIMARY KEY,
  at      TIMESTAMP NOT NULL,
  actor   TEXT NOT NULL,
  action  TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  detail  TEXT NOT NULL DEFAULT ''
);
