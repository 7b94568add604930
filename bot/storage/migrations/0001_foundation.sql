-- Foundation: areas, members and roles, chats, conversations and menus, outbox, audit log.
-- Times are ISO-8601 text in UTC. Telegram ids are INTEGER (64-bit in SQLite).

CREATE TABLE areas (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    households  INTEGER CHECK (households IS NULL OR households >= 0),
    created_at  TEXT NOT NULL
);

CREATE TABLE members (
    id               INTEGER PRIMARY KEY,
    platform         TEXT NOT NULL,
    user_id          INTEGER NOT NULL,
    display_name     TEXT,
    language         TEXT,
    area_id          INTEGER REFERENCES areas(id) ON DELETE SET NULL,
    consent_at       TEXT,
    consent_version  INTEGER,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (platform, user_id)
);
CREATE INDEX members_area ON members(area_id);

CREATE TABLE roles (
    id          INTEGER PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('leader', 'officer', 'admin')),
    area_id     INTEGER REFERENCES areas(id) ON DELETE CASCADE,
    granted_by  INTEGER REFERENCES members(id) ON DELETE SET NULL,
    granted_at  TEXT NOT NULL,
    CHECK ((role = 'leader') = (area_id IS NOT NULL))
);
CREATE UNIQUE INDEX roles_unique ON roles(member_id, role, COALESCE(area_id, 0));

CREATE TABLE chats (
    id          INTEGER PRIMARY KEY,
    platform    TEXT NOT NULL,
    chat_id     INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('private', 'group')),
    title       TEXT,
    area_id     INTEGER REFERENCES areas(id) ON DELETE SET NULL,
    language    TEXT,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (platform, chat_id)
);

CREATE TABLE conversations (
    platform    TEXT NOT NULL,
    chat_id     INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    flow        TEXT NOT NULL,
    step        TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    token       TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    PRIMARY KEY (platform, chat_id, user_id)
);

CREATE TABLE menus (
    id          TEXT PRIMARY KEY,
    platform    TEXT NOT NULL,
    chat_id     INTEGER NOT NULL,
    user_id     INTEGER,
    options     TEXT NOT NULL,
    token       TEXT,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX menus_expiry ON menus(expires_at);

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    platform    TEXT NOT NULL,
    chat_id     INTEGER NOT NULL,
    text        TEXT NOT NULL,
    buttons     TEXT NOT NULL DEFAULT '[]',
    batch_id    INTEGER,
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  TEXT NOT NULL,
    not_before  TEXT NOT NULL,
    sent_at     TEXT
);
CREATE INDEX outbox_due ON outbox(status, not_before);

CREATE TABLE audit_log (
    id               INTEGER PRIMARY KEY,
    at               TEXT NOT NULL,
    actor_member_id  INTEGER REFERENCES members(id) ON DELETE SET NULL,
    action           TEXT NOT NULL,
    subject_type     TEXT,
    subject_id       INTEGER,
    details          TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_subject ON audit_log(subject_type, subject_id);

CREATE TABLE kv (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
