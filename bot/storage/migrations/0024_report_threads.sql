-- A report's two-way thread between its handlers and its reporter, how the reporter is
-- reached when the report is anonymous, the reporter's rating of the outcome, and the
-- reopenings the reporter asked for.

-- How an anonymous reporter is reached: only a sealed chat address (bot/core/sealing.py: the
-- key is not in the database), the platform that carries it and the language to write in.
-- Nothing here names a member or a chat. Wiped by /forgetme (the reporter's own chat opens
-- their seal), when the reopening window after the report's end has passed, and with the report.
CREATE TABLE report_contacts (
    report_id  INTEGER PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
    platform   TEXT NOT NULL,
    sealed     TEXT NOT NULL,
    language   TEXT
);

-- Every message of the thread. Who wrote is a role ('reporter' or 'handler'); a handler's
-- member id is kept (they act for the commune), a reporter's never is.
CREATE TABLE report_messages (
    id                INTEGER PRIMARY KEY,
    report_id         INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    at                TEXT NOT NULL,
    author            TEXT NOT NULL CHECK (author IN ('reporter', 'handler')),
    author_member_id  INTEGER REFERENCES members(id) ON DELETE SET NULL,
    text              TEXT NOT NULL DEFAULT '',
    media             TEXT NOT NULL DEFAULT '[]',   -- [{"kind": "photo"|"voice", "file_id": ...}]
    CHECK (author = 'handler' OR author_member_id IS NULL)
);
CREATE INDEX report_messages_report ON report_messages(report_id, id);

-- The reporter's rating of the outcome (the last one given for the report's latest closing).
CREATE TABLE report_ratings (
    report_id  INTEGER PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
    satisfied  INTEGER NOT NULL CHECK (satisfied IN (0, 1)),
    reason     TEXT,
    rated_at   TEXT NOT NULL
);
CREATE INDEX report_ratings_time ON report_ratings(rated_at);

-- Reopenings asked by the reporter (at most one per report, within the window after it was
-- resolved).
CREATE TABLE report_reopenings (
    report_id  INTEGER PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
    at         TEXT NOT NULL
);
CREATE INDEX report_reopenings_time ON report_reopenings(at);

-- A queued message may carry a voice message (a platform file id; the text is its caption),
-- as ``photo`` carries a photo: the thread passes the reporter's and handler's voice through.
ALTER TABLE outbox ADD COLUMN voice TEXT;
