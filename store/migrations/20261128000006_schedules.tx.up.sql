-- Timed and recurring announcements. A one-shot has "at"; a recurring one
-- has a cron spec. next_run_at is the next fire time, NULL when none.
CREATE TABLE IF NOT EXISTS schedules (
  id           {{.ID}},
  spec         TEXT NOT NULL DEFAULT '',
  at           {{.Time}},
  tz           TEXT NOT NULL,
  list_id      {{.Ref}} NOT NULL REFERENCES lists (id),
  body         TEXT NOT NULL,
  status       TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  approved_by  TEXT NOT NULL DEFAULT '',
  created_at   {{.Time}} NOT NULL,
  approved_at  {{.Time}},
  next_run_at  {{.Time}},
  last_run_at  {{.Time}}
);
CREATE INDEX IF NOT EXISTS schedules_status ON schedules (status, next_run_at);

-- Each fire of a schedule, claimed before its broadcast starts: the primary
-- key makes a run happen once, whatever restarts.
CREATE TABLE IF NOT EXISTS schedule_runs (
  schedule_id  {{.Ref}} NOT NULL REFERENCES schedules (id),
  run_at       {{.Time}} NOT NULL,
  broadcast_id {{.Ref}} REFERENCES broadcasts (id),
  started      BOOLEAN NOT NULL DEFAULT FALSE,
  claimed_at   {{.Time}} NOT NULL,
  PRIMARY KEY (schedule_id, run_at)
);
