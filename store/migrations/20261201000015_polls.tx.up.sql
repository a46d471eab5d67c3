-- Polls: a broadcast that asks a question its recipients answer by text.
-- A poll's ID is its broadcast's. closes_at is the closing time the
-- organizer set (NULL: none); closed_at when it closed (by Close now or
-- at closes_at).
CREATE TABLE IF NOT EXISTS polls (
  broadcast_id {{.Ref}} PRIMARY KEY REFERENCES broadcasts (id) ON DELETE CASCADE,
  question     TEXT NOT NULL,
  confirm      TEXT NOT NULL DEFAULT '',
  closes_at    {{.Time}},
  closed_at    {{.Time}},
  closed_by    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE IF NOT EXISTS poll_options (
  poll_id   {{.Ref}} NOT NULL REFERENCES polls (broadcast_id) ON DELETE CASCADE,
  option_no INTEGER NOT NULL CHECK (option_no BETWEEN 1 AND 9),
  label     TEXT NOT NULL,
  PRIMARY KEY (poll_id, option_no)
);

-- Each contact's answer to a poll: one row per poll and contact, replaced
-- by a later answer (changes counts how often it changed). first_at is the
-- first answer's time, answered_at when the current option was chosen,
-- last_at the newest counted text's (a repeated answer moves only last_at;
-- an older text read late changes nothing); sid the text it came in.
CREATE TABLE IF NOT EXISTS poll_answers (
  poll_id     {{.Ref}} NOT NULL REFERENCES polls (broadcast_id) ON DELETE CASCADE,
  contact_id  {{.Ref}} NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  option_no   INTEGER NOT NULL CHECK (option_no BETWEEN 1 AND 9),
  raw         TEXT NOT NULL,
  sid         TEXT NOT NULL,
  first_at    {{.Time}} NOT NULL,
  answered_at {{.Time}} NOT NULL,
  last_at     {{.Time}} NOT NULL,
  changes     INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (poll_id, contact_id)
);
CREATE INDEX IF NOT EXISTS poll_answers_option ON poll_answers (poll_id, option_no);

-- A broadcast or schedule to a poll's answer group (poll:4=2; option 0 is
-- those who have not answered); group_poll NULL: the whole list.
ALTER TABLE broadcasts ADD COLUMN group_poll {{.Ref}};
ALTER TABLE broadcasts ADD COLUMN group_option INTEGER NOT NULL DEFAULT 0;
ALTER TABLE schedules ADD COLUMN group_poll {{.Ref}};
ALTER TABLE schedules ADD COLUMN group_option INTEGER NOT NULL DEFAULT 0;
-- A scheduled poll: its question as JSON (question, options, confirm,
-- closes_in seconds after the run); '' for a plain send.
ALTER TABLE schedules ADD COLUMN poll TEXT NOT NULL DEFAULT '';

-- Which poll an incoming text answered (poll_option 1–9), or was relayed
-- as not an answer to (poll_option 0); poll_id NULL: no open poll then.
ALTER TABLE inbound_messages ADD COLUMN poll_id {{.Ref}};
ALTER TABLE inbound_messages ADD COLUMN poll_option INTEGER NOT NULL DEFAULT 0;

-- The chat message showing each poll's live tally.
CREATE TABLE IF NOT EXISTS tally_refs (
  poll_id    {{.Ref}} PRIMARY KEY REFERENCES polls (broadcast_id) ON DELETE CASCADE,
  platform   TEXT NOT NULL,
  ref        TEXT NOT NULL,
  updated_at {{.Time}} NOT NULL
);
