-- Reports handled as a police post works (issue 16): assignment, transfer, deadlines per commune
-- and escalations kept once. The same as SQLite's 0023_report_handling.sql.

-- When a report must be resolved (set when it is made; NULL for reports from before).
ALTER TABLE reports ADD COLUMN resolve_due_at TEXT;
-- Where a report went when it was handed to another body: 'province' (the provincial police),
-- 'fire' (fire and rescue, 114), 'committee' (the commune People's Committee), 'health' (115).
-- A report moved to another commune becomes that commune's: it keeps no mark here.
ALTER TABLE reports ADD COLUMN transferred_to TEXT CHECK (transferred_to IS NULL OR
    transferred_to IN ('province', 'fire', 'committee', 'health'));
CREATE INDEX reports_resolve_due ON reports(status, resolve_due_at);

-- The history of a report names who it was given to and where it went.
ALTER TABLE report_events ADD COLUMN assignee_member_id BIGINT
    REFERENCES members(id) ON DELETE SET NULL;
ALTER TABLE report_events ADD COLUMN destination TEXT;

-- The deadlines a commune's officers set: acknowledge (happening now, others) and resolve.
-- A commune without a row uses the deployment's acknowledgement hours and 7 days.
CREATE TABLE report_deadlines (
    commune_id       BIGINT PRIMARY KEY REFERENCES communes(id) ON DELETE CASCADE,
    ack_minutes_now  BIGINT NOT NULL CHECK (ack_minutes_now > 0),
    ack_minutes      BIGINT NOT NULL CHECK (ack_minutes > 0),
    resolve_days     BIGINT NOT NULL CHECK (resolve_days > 0),
    updated_by       BIGINT REFERENCES members(id) ON DELETE SET NULL,
    updated_at       TEXT NOT NULL
);

-- Each escalation of a deadline happens once: (report, which deadline, level, that deadline).
-- Written in the same transaction as the messages it queues, so a restart neither loses nor
-- repeats one; a new deadline (a reopened or transferred report) escalates afresh.
CREATE TABLE report_escalations (
    report_id  BIGINT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('ack', 'resolve')),
    level      BIGINT NOT NULL CHECK (level IN (1, 2)),
    due_at     TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (report_id, kind, level, due_at)
);

-- The officers' routing rules per category and area: every new report of that category in that
-- area is given to that person (while they may still be given the area's reports).
CREATE TABLE report_assign_rules (
    area_id     BIGINT NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
    category    TEXT NOT NULL,
    member_id   BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    updated_by  BIGINT REFERENCES members(id) ON DELETE SET NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (area_id, category)
);
