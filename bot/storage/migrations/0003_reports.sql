-- Reports and tips, their history, routing, blocks, the anonymous rate counter, mediation.
-- An anonymous report has no column that points to a person (see the CHECK below).

CREATE TABLE reports (
    id                  INTEGER PRIMARY KEY,
    code                TEXT NOT NULL UNIQUE,
    category            TEXT NOT NULL,
    area_id             INTEGER REFERENCES areas(id) ON DELETE SET NULL,
    description         TEXT NOT NULL DEFAULT '',
    media               TEXT NOT NULL DEFAULT '[]',   -- [{"kind": "photo"|"voice", "file_id": ...}]
    place               TEXT,
    latitude            REAL,
    longitude           REAL,
    happening_now       INTEGER NOT NULL DEFAULT 0,
    anonymous           INTEGER NOT NULL,
    reporter_member_id  INTEGER REFERENCES members(id) ON DELETE SET NULL,
    target              TEXT NOT NULL CHECK (target IN ('leaders', 'officers')),
    assignee_member_id  INTEGER REFERENCES members(id) ON DELETE SET NULL,
    status              TEXT NOT NULL DEFAULT 'new' CHECK (status IN
                        ('new', 'acknowledged', 'in_progress', 'resolved', 'not_ours',
                         'duplicate', 'reopened')),
    duplicate_of        INTEGER REFERENCES reports(id) ON DELETE SET NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    ack_due_at          TEXT,
    escalated_at        TEXT,
    resolved_at         TEXT,
    CHECK (anonymous IN (0, 1)),
    CHECK (anonymous = 0 OR reporter_member_id IS NULL)
);
CREATE INDEX reports_status ON reports(status, ack_due_at);
CREATE INDEX reports_area ON reports(area_id, status);
CREATE INDEX reports_reporter ON reports(reporter_member_id, created_at);

-- Every change: who, when, from, to, note. The actor of an anonymous submission is NULL.
CREATE TABLE report_events (
    id               INTEGER PRIMARY KEY,
    report_id        INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    at               TEXT NOT NULL,
    actor_member_id  INTEGER REFERENCES members(id) ON DELETE SET NULL,
    from_status      TEXT,
    to_status        TEXT,
    note             TEXT
);
CREATE INDEX report_events_report ON report_events(report_id, id);

CREATE TABLE report_routes (
    category    TEXT PRIMARY KEY,
    target      TEXT NOT NULL CHECK (target IN ('leaders', 'officers')),
    updated_by  INTEGER REFERENCES members(id) ON DELETE SET NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE report_blocks (
    member_id   INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    blocked_by  INTEGER REFERENCES members(id) ON DELETE SET NULL,
    blocked_at  TEXT NOT NULL
);

-- Short-lived rate counter: a keyed hash (secret kept only in memory) and a time, nothing else.
CREATE TABLE report_rate (
    key  TEXT NOT NULL,
    at   TEXT NOT NULL
);
CREATE INDEX report_rate_key ON report_rate(key, at);

CREATE TABLE mediation_cases (
    id                  INTEGER PRIMARY KEY,
    report_id           INTEGER UNIQUE REFERENCES reports(id) ON DELETE SET NULL,
    area_id             INTEGER REFERENCES areas(id) ON DELETE SET NULL,
    parties             TEXT NOT NULL DEFAULT '[]',   -- names as given, a JSON list
    mediator_member_id  INTEGER REFERENCES members(id) ON DELETE SET NULL,
    session_on          TEXT,                         -- a calendar day, YYYY-MM-DD
    outcome             TEXT CHECK (outcome IS NULL OR outcome IN
                        ('success', 'failed', 'transferred')),
    note                TEXT,
    created_by          INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at          TEXT NOT NULL,
    closed_at           TEXT
);
CREATE INDEX mediation_area ON mediation_cases(area_id, closed_at);
