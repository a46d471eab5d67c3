-- Each import into a list, so that the last one can be undone: the
-- memberships it added and whether it created each contact.
CREATE TABLE IF NOT EXISTS import_batches (
  id         {{.ID}},
  list_id    {{.Ref}} NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  actor      TEXT NOT NULL,
  created_at {{.Time}} NOT NULL,
  undone_at  {{.Time}}
);
CREATE INDEX IF NOT EXISTS import_batches_list ON import_batches (list_id, id);

CREATE TABLE IF NOT EXISTS import_batch_members (
  batch_id   {{.Ref}} NOT NULL REFERENCES import_batches (id) ON DELETE CASCADE,
  contact_id {{.Ref}} NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  created    BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (batch_id, contact_id)
);
CREATE INDEX IF NOT EXISTS import_batch_members_contact ON import_batch_members (contact_id);
