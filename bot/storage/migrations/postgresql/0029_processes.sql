-- Several bot processes on one database (issue 17, point 3). The same as SQLite's
-- 0029_processes.sql, in PostgreSQL's types.
-- The live processes: each writes seen_at (the database's clock, seconds since 1970) every few
-- seconds; one silent for longer than the lease is dead, and a survivor takes back what it held.
CREATE TABLE processes (
    id          TEXT PRIMARY KEY,          -- host:pid:random, unique per start
    host        TEXT NOT NULL,
    pid         BIGINT NOT NULL,
    polling     BIGINT NOT NULL DEFAULT 0,  -- it long-polls the platform (one per database)
    started_at  DOUBLE PRECISION NOT NULL,
    seen_at     DOUBLE PRECISION NOT NULL
);
-- The process that marked an outbox row 'sending': its request may be in flight (and once
-- the row is 'sent', the process that sent it).
ALTER TABLE outbox ADD COLUMN held_by TEXT;
-- Each timer's next run, claimed by one process at a time (held_by while it runs).
CREATE TABLE timer_runs (
    name        TEXT PRIMARY KEY,
    due_at      DOUBLE PRECISION NOT NULL,
    held_by     TEXT,
    started_at  DOUBLE PRECISION
);
-- A chat's turn for outbox messages across processes: when it may get the next one, the
-- process with a request to it in flight, and a group's recent sends (20 a minute).
CREATE TABLE chat_turns (
    platform    TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    ready_at    DOUBLE PRECISION NOT NULL DEFAULT 0,
    held_by     TEXT,
    sends       TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (platform, chat_id)
);
