-- 30003 (a phone off or out of coverage) is temporary: it no longer flags
-- a contact invalid, and contacts it flagged before are texted again.
UPDATE contacts SET invalid_reason = '' WHERE invalid_reason LIKE '30003 %';
