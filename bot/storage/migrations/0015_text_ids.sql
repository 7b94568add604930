-- foreign_keys: off
-- A person and a chat are (platform, id as text) everywhere (issue #13): every column that
-- keeps a platform's id of a person or a chat becomes TEXT, so a platform whose ids are not
-- numbers fits as Telegram does. Telegram's integer ids become their decimal text ('-100500').
--
-- SQLite cannot change a column's type: each table is made again under a temporary name, its
-- rows copied (ids cast to text), the old table dropped and the new one renamed, then its
-- indexes made again. The first line above makes the migration runner turn foreign keys off
-- for this migration (as SQLite's documented way of remaking a table requires: dropping
-- `members` would otherwise delete or empty every row that points to a member) and check them
-- all before it commits. Row ids (members.id, chats.id) are kept, so every reference stays.

CREATE TABLE members_new (
    id               INTEGER PRIMARY KEY,
    platform         TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    display_name     TEXT,
    language         TEXT,
    area_id          INTEGER REFERENCES areas(id) ON DELETE SET NULL,
    consent_at       TEXT,
    consent_version  INTEGER,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (platform, user_id)
);
INSERT INTO members_new (id, platform, user_id, display_name, language, area_id, consent_at,
                         consent_version, created_at, updated_at)
SELECT id, platform, CAST(user_id AS TEXT), display_name, language, area_id, consent_at,
       consent_version, created_at, updated_at
FROM members;
DROP TABLE members;
ALTER TABLE members_new RENAME TO members;
CREATE INDEX members_area ON members(area_id);
CREATE INDEX members_area_registered ON members(area_id, display_name)
    WHERE consent_at IS NOT NULL;

CREATE TABLE chats_new (
    id          INTEGER PRIMARY KEY,
    platform    TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('private', 'group')),
    title       TEXT,
    area_id     INTEGER REFERENCES areas(id) ON DELETE SET NULL,
    language    TEXT,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (platform, chat_id)
);
INSERT INTO chats_new (id, platform, chat_id, kind, title, area_id, language, active,
                       created_at, updated_at)
SELECT id, platform, CAST(chat_id AS TEXT), kind, title, area_id, language, active,
       created_at, updated_at
FROM chats;
DROP TABLE chats;
ALTER TABLE chats_new RENAME TO chats;

CREATE TABLE conversations_new (
    platform    TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    flow        TEXT NOT NULL,
    step        TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    token       TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    PRIMARY KEY (platform, chat_id, user_id)
);
INSERT INTO conversations_new (platform, chat_id, user_id, flow, step, data, token, updated_at,
                               expires_at)
SELECT platform, CAST(chat_id AS TEXT), CAST(user_id AS TEXT), flow, step, data, token,
       updated_at, expires_at
FROM conversations;
DROP TABLE conversations;
ALTER TABLE conversations_new RENAME TO conversations;

CREATE TABLE menus_new (
    id          TEXT PRIMARY KEY,
    platform    TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    user_id     TEXT,
    options     TEXT NOT NULL,
    token       TEXT,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    step_token  TEXT,
    shown       TEXT
);
INSERT INTO menus_new (id, platform, chat_id, user_id, options, token, created_at, expires_at,
                       step_token, shown)
SELECT id, platform, CAST(chat_id AS TEXT), CAST(user_id AS TEXT), options, token, created_at,
       expires_at, step_token, shown
FROM menus;
DROP TABLE menus;
ALTER TABLE menus_new RENAME TO menus;
CREATE INDEX menus_expiry ON menus(expires_at);
CREATE INDEX menus_user ON menus(platform, user_id, chat_id);

CREATE TABLE outbox_new (
    id               INTEGER PRIMARY KEY,
    platform         TEXT NOT NULL,
    chat_id          TEXT NOT NULL,
    text             TEXT NOT NULL,
    buttons          TEXT NOT NULL DEFAULT '[]',
    batch_id         INTEGER,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    not_before       TEXT NOT NULL,
    sent_at          TEXT,
    priority         INTEGER NOT NULL DEFAULT 0,
    photo            TEXT,
    edit_of          INTEGER,
    sent_message_id  INTEGER
);
INSERT INTO outbox_new (id, platform, chat_id, text, buttons, batch_id, status, attempts,
                        last_error, created_at, not_before, sent_at, priority, photo, edit_of,
                        sent_message_id)
SELECT id, platform, CAST(chat_id AS TEXT), text, buttons, batch_id, status, attempts,
       last_error, created_at, not_before, sent_at, priority, photo, edit_of, sent_message_id
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(status, not_before);
CREATE INDEX outbox_batch ON outbox(batch_id, status);
CREATE INDEX outbox_pending_id ON outbox(platform, status, id);
CREATE INDEX outbox_window ON outbox(platform, status, priority DESC, not_before, id);

CREATE TABLE chat_migrations_new (
    platform     TEXT NOT NULL,
    old_chat_id  TEXT NOT NULL,
    new_chat_id  TEXT NOT NULL,
    migrated_at  TEXT NOT NULL,
    PRIMARY KEY (platform, old_chat_id)
);
INSERT INTO chat_migrations_new (platform, old_chat_id, new_chat_id, migrated_at)
SELECT platform, CAST(old_chat_id AS TEXT), CAST(new_chat_id AS TEXT), migrated_at
FROM chat_migrations;
DROP TABLE chat_migrations;
ALTER TABLE chat_migrations_new RENAME TO chat_migrations;

CREATE TABLE pledge_boards_new (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER NOT NULL REFERENCES pledge_campaigns(id) ON DELETE CASCADE,
    area_id      INTEGER NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
    platform     TEXT NOT NULL,
    chat_id      TEXT NOT NULL,
    language     TEXT NOT NULL,
    outbox_ids   TEXT NOT NULL DEFAULT '[]',   -- JSON list: one outbox id per part, in order
    posted_at    TEXT NOT NULL
);
INSERT INTO pledge_boards_new (id, campaign_id, area_id, platform, chat_id, language, outbox_ids,
                               posted_at)
SELECT id, campaign_id, area_id, platform, CAST(chat_id AS TEXT), language, outbox_ids, posted_at
FROM pledge_boards;
DROP TABLE pledge_boards;
ALTER TABLE pledge_boards_new RENAME TO pledge_boards;
CREATE INDEX pledge_boards_campaign_area ON pledge_boards(campaign_id, area_id);
