-- Patrols (tuần tra): patrols with participants and observations, weekly rosters with the
-- reminders already sent, and house watch (trông nhà) while residents are away.

CREATE TABLE patrols (
    id                INTEGER PRIMARY KEY,
    area_id           INTEGER NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
    leader_member_id  INTEGER REFERENCES members(id) ON DELETE SET NULL,
    status            TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    source            TEXT NOT NULL CHECK (source IN ('live', 'backfill')),
    started_at        TEXT NOT NULL,
    ended_at          TEXT,
    headcount         INTEGER NOT NULL DEFAULT 0 CHECK (headcount >= 0),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    CHECK (ended_at IS NULL OR ended_at > started_at)
);
CREATE UNIQUE INDEX patrols_one_open ON patrols(area_id) WHERE status = 'open';
CREATE INDEX patrols_area_time ON patrols(area_id, started_at);
CREATE INDEX patrols_time ON patrols(started_at);

-- A participant is a registered member or a typed name of someone not in the bot.
-- When a member asks to be forgotten the row stays (the figures count it) without a link.
CREATE TABLE patrol_participants (
    id            INTEGER PRIMARY KEY,
    patrol_id     INTEGER NOT NULL REFERENCES patrols(id) ON DELETE CASCADE,
    member_id     INTEGER REFERENCES members(id) ON DELETE SET NULL,
    name          TEXT,
    confirmed_at  TEXT,
    declined_at   TEXT
);
CREATE INDEX patrol_participants_patrol ON patrol_participants(patrol_id);
CREATE INDEX patrol_participants_member ON patrol_participants(member_id);

CREATE TABLE patrol_observations (
    id          INTEGER PRIMARY KEY,
    patrol_id   INTEGER NOT NULL REFERENCES patrols(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    count       INTEGER NOT NULL DEFAULT 1 CHECK (count BETWEEN 1 AND 1000),
    reminded    INTEGER NOT NULL DEFAULT 1 CHECK (reminded IN (0, 1)),
    note        TEXT,
    photo       TEXT,
    latitude    REAL,
    longitude   REAL,
    for_report  INTEGER NOT NULL DEFAULT 0 CHECK (for_report IN (0, 1)),
    created_by  INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX patrol_observations_patrol ON patrol_observations(patrol_id);

CREATE TABLE patrol_shifts (
    id              INTEGER PRIMARY KEY,
    area_id         INTEGER NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
    weekday         INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_time      TEXT NOT NULL,  -- HH:MM, local time of the commune
    remind_minutes  INTEGER NOT NULL DEFAULT 60 CHECK (remind_minutes BETWEEN 5 AND 1440),
    created_by      INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX patrol_shifts_area ON patrol_shifts(area_id);

CREATE TABLE patrol_shift_members (
    shift_id   INTEGER NOT NULL REFERENCES patrol_shifts(id) ON DELETE CASCADE,
    member_id  INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    PRIMARY KEY (shift_id, member_id)
);

-- One row per reminder sent for one occurrence of a shift: a restart neither loses nor
-- repeats a reminder. "I can't make it" is recorded on the same row.
CREATE TABLE patrol_shift_reminders (
    shift_id     INTEGER NOT NULL REFERENCES patrol_shifts(id) ON DELETE CASCADE,
    member_id    INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    shift_at     TEXT NOT NULL,
    sent_at      TEXT NOT NULL,
    declined_at  TEXT,
    PRIMARY KEY (shift_id, member_id, shift_at)
);

CREATE TABLE house_watch (
    id          INTEGER PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    area_id     INTEGER NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
    address     TEXT NOT NULL,
    away_from   TEXT NOT NULL,  -- local calendar day, YYYY-MM-DD
    back_on     TEXT NOT NULL,  -- local calendar day, YYYY-MM-DD (inclusive)
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
    created_at  TEXT NOT NULL,
    CHECK (back_on >= away_from)
);
CREATE INDEX house_watch_area ON house_watch(area_id, status, away_from, back_on);
CREATE INDEX house_watch_member ON house_watch(member_id);
