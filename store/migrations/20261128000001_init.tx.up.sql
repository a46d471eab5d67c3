-- Senders: Twilio "from" numbers or Messaging Service SIDs, paced at rate
-- segments per second. Removed senders are disabled, never deleted, so the
-- outbox keeps pointing at them.
CREATE TABLE IF NOT EXISTS senders (
  id          {{.ID}},
  address     TEXT    NOT NULL UNIQUE,
  rate        {{.Float}} NOT NULL CHECK (rate > 0),
  enabled     BOOLEAN NOT NULL DEFAULT TRUE,
  created_at  {{.Time}} NOT NULL,
  removed_at  {{.Time}}
);

CREATE TABLE IF NOT EXISTS contacts (
  id             {{.ID}},
  phone          TEXT NOT NULL UNIQUE,
  name           TEXT NOT NULL DEFAULT '',
  opted_out_at   {{.Time}},
  invalid_reason TEXT NOT NULL DEFAULT '',
  created_at     {{.Time}} NOT NULL
);

CREATE TABLE IF NOT EXISTS lists (
  id         {{.ID}},
  name       TEXT NOT NULL{{if not .PG}} UNIQUE COLLATE NOCASE{{end}},
  created_at {{.Time}} NOT NULL
);
{{- if .PG}}
-- List names are unique ignoring case; lookups compare lower(name).
CREATE UNIQUE INDEX IF NOT EXISTS lists_name_ci ON lists (lower(name));
{{- end}}

CREATE TABLE IF NOT EXISTS memberships (
  list_id    {{.Ref}} NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  contact_id {{.Ref}} NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  added_at   {{.Time}} NOT NULL,
  PRIMARY KEY (list_id, contact_id)
){{if not .PG}} WITHOUT ROWID{{end}};

-- Sticky senders: a contact is always texted from the same sender.
CREATE TABLE IF NOT EXISTS assignments (
  contact_id  {{.Ref}} PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
  sender_id   {{.Ref}} NOT NULL REFERENCES senders (id),
  assigned_at {{.Time}} NOT NULL
);
CREATE INDEX IF NOT EXISTS assignments_sender ON assignments (sender_id);

CREATE TABLE IF NOT EXISTS broadcasts (
  id           {{.ID}},
  body         TEXT    NOT NULL,
  list_id      {{.Ref}} NOT NULL REFERENCES lists (id),
  status       TEXT    NOT NULL,
  requested_by TEXT    NOT NULL,
  approved_by  TEXT    NOT NULL DEFAULT '',
  segments     INTEGER NOT NULL,
  encoding     TEXT    NOT NULL,
  queued       BOOLEAN NOT NULL DEFAULT FALSE,
  created_at   {{.Time}} NOT NULL,
  approved_at  {{.Time}},
  started_at   {{.Time}},
  finished_at  {{.Time}}
);
CREATE INDEX IF NOT EXISTS broadcasts_status ON broadcasts (status);

-- The durable outbox: one row per broadcast and contact. A row is
-- 'sending' before its provider call and 'sent' with its SID after.
CREATE TABLE IF NOT EXISTS messages (
  id               {{.ID}},
  broadcast_id     {{.Ref}} NOT NULL REFERENCES broadcasts (id),
  contact_id       {{.Ref}} NOT NULL REFERENCES contacts (id),
  to_phone         TEXT    NOT NULL,
  sender_id        {{.Ref}} REFERENCES senders (id),
  status           TEXT    NOT NULL,
  provider_sid     TEXT,
  error_code       TEXT    NOT NULL DEFAULT '',
  error_text       TEXT    NOT NULL DEFAULT '',
  attempts         INTEGER NOT NULL DEFAULT 0,
  segments         INTEGER NOT NULL,
  next_attempt_at  {{.Time}} NOT NULL,
  first_attempt_at {{.Time}},
  last_attempt_at  {{.Time}},
  sent_at          {{.Time}},
  delivered_at     {{.Time}},
  updated_at       {{.Time}} NOT NULL,
  UNIQUE (broadcast_id, contact_id)
);
CREATE INDEX IF NOT EXISTS messages_queue ON messages (sender_id, status, broadcast_id, id);
CREATE INDEX IF NOT EXISTS messages_status ON messages (broadcast_id, status);
CREATE INDEX IF NOT EXISTS messages_open ON messages (status) WHERE status = 'sending';
CREATE INDEX IF NOT EXISTS messages_sid ON messages (provider_sid) WHERE provider_sid IS NOT NULL;

CREATE TABLE IF NOT EXISTS audit_log (
  id      {{.ID}},
  at      {{.Time}} NOT NULL,
  actor   TEXT NOT NULL,
  action  TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  detail  TEXT NOT NULL DEFAULT ''
);
