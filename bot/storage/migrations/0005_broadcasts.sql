-- Awareness broadcasts: officers' own messages, schedules, runs (one per sending), residents'
-- topic subscriptions; and what the outbox worker needs for progress edits and photos.

ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN photo TEXT;
ALTER TABLE outbox ADD COLUMN edit_of INTEGER;
ALTER TABLE outbox ADD COLUMN sent_message_id INTEGER;
CREATE INDEX outbox_batch ON outbox(batch_id, status);
CREATE INDEX outbox_pending_id ON outbox(platform, status, id);

CREATE TABLE broadcast_messages (
    id          INTEGER PRIMARY KEY,
    topic       TEXT NOT NULL,
    text        TEXT NOT NULL,
    photo       TEXT,
    created_by  INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    deleted_at  TEXT
);

CREATE TABLE broadcast_schedules (
    id           INTEGER PRIMARY KEY,
    topic        TEXT NOT NULL,
    message_ref  TEXT NOT NULL,          -- "lib:<topic>" (variants in turn), "lib:<key>", "own:<id>"
    target       TEXT NOT NULL CHECK (target IN ('commune', 'areas', 'groups', 'subscribers')),
    area_ids     TEXT NOT NULL DEFAULT '[]',
    rule         TEXT NOT NULL,          -- JSON of bot.broadcasts.rules.Rule
    urgent       INTEGER NOT NULL DEFAULT 0,
    paused       INTEGER NOT NULL DEFAULT 0,
    next_run_at  TEXT,                   -- UTC; NULL when there is no further run
    runs         INTEGER NOT NULL DEFAULT 0,
    created_by   INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX broadcast_schedules_due ON broadcast_schedules(paused, next_run_at);

CREATE TABLE broadcast_runs (
    id                INTEGER PRIMARY KEY,
    schedule_id       INTEGER REFERENCES broadcast_schedules(id) ON DELETE SET NULL,
    due_at            TEXT NOT NULL,
    started_at        TEXT NOT NULL,
    status            TEXT NOT NULL
                      CHECK (status IN ('fanout', 'sending', 'done', 'skipped')),
    reason            TEXT,
    topic             TEXT NOT NULL,
    message_ref       TEXT NOT NULL,
    target            TEXT NOT NULL,
    area_ids          TEXT NOT NULL DEFAULT '[]',
    urgent            INTEGER NOT NULL DEFAULT 0,
    variant           INTEGER NOT NULL DEFAULT 0,
    cursor_kind       TEXT NOT NULL DEFAULT '',
    cursor_id         INTEGER NOT NULL DEFAULT 0,
    recipients        INTEGER NOT NULL DEFAULT 0,
    not_before        TEXT,
    requested_by      INTEGER REFERENCES members(id) ON DELETE SET NULL,
    report            INTEGER NOT NULL DEFAULT 1,
    progress_outbox   INTEGER,
    progress_text     TEXT,
    finished_at       TEXT
);
CREATE INDEX broadcast_runs_status ON broadcast_runs(status);

CREATE TABLE broadcast_subscriptions (
    member_id   INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    topic       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (member_id, topic)
);
CREATE INDEX broadcast_subscriptions_topic ON broadcast_subscriptions(topic);
