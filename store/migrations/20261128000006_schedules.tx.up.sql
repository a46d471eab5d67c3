-- Timed and recurring announcements. A one-shot has "at"; a recurring one
-- has a cron spec. next_run_at is the next fire time, NULL when none.
CREATE TABLE IF NOT EXISTS schedules (
  id           INTEGER PRIMARY KEY,
  spec         TEXT NOT NULL DEFAULT '',
  at           TIMESTAMP,
  tz           TEXT NOT NULL,
  list_id      INTEGER NOT NULL REFERENCES lists (id),
  body         TEXT NOT NULL,
  status       TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  approved_by  TEXT NOT NULL DEFAULT '',
  created_at   TIMESTAMP NOT NULL,
  approved_at  TIMESTAMP,
  next_run_at  TIMESTAMP,
  last_run_at  TIMESTAMP
);
CREATE INDEX IF NOT EXISTS schedules_status ON schedules (status, next_run_at);

-- Each fire of a schedule, claimed before its broadcast starts: the primary
-- key makes a run happen once, whatever restarts.
CREATE TABLE IF NOT EXISTS schedule_runs (
  schedule_id  INTEGER NOT NULL REFERENCES schedules (id),
  run_at       TIMESTAMP NOT NULL,
  broadcast_id INTEGER REFERENCES broadcasts (id),
  started      BOOLEAN NOT NULL DEFAULT 0,
  claimed_at   TIMESTAMP NOT NULL,
  PRIMARY KEY (schedule_id, run_at)
);
