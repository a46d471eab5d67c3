-- Leases coordinate the replicas sharing a PostgreSQL database: one
-- replica at a time holds each name ('sender:<id>', 'poller', 'discord',
-- 'progress:<broadcast id>', 'replica:<owner>'). token grows by one at
-- every acquisition and is never reset (a lease is released by expiring
-- it, never deleted), so a write fenced by an old token changes nothing.
CREATE TABLE IF NOT EXISTS leases (
  name        TEXT PRIMARY KEY,
  owner       TEXT NOT NULL,
  token       {{.Ref}} NOT NULL,
  acquired_at {{.Time}} NOT NULL,
  expires_at  {{.Time}} NOT NULL
);
CREATE INDEX IF NOT EXISTS leases_owner ON leases (owner);

-- The chat message showing each broadcast's progress, so that whichever
-- replica holds its progress lease edits the same message.
CREATE TABLE IF NOT EXISTS progress_refs (
  broadcast_id {{.Ref}} PRIMARY KEY REFERENCES broadcasts (id) ON DELETE CASCADE,
  platform     TEXT NOT NULL,
  ref          TEXT NOT NULL,
  updated_at   {{.Time}} NOT NULL
);
