-- Columns of imported files other than phone and name, as a JSON object:
-- merge fields such as t_shirt_size.
ALTER TABLE contacts ADD COLUMN fields TEXT NOT NULL DEFAULT '{}';
