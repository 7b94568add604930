-- SQLite's 0030_inbox_claims.sql: each inbox row's chat key, and the claims by which one bot
-- process at a time handles a chat's updates in webhook mode (taken with FOR UPDATE SKIP
-- LOCKED, so processes claiming at once never wait for each other).

ALTER TABLE inbox ADD COLUMN chat_key TEXT;
CREATE INDEX inbox_chat ON inbox (platform, chat_key, update_id);

CREATE TABLE inbox_claims (
    platform    TEXT NOT NULL,
    chat_key    TEXT NOT NULL,
    holder      TEXT,
    until       TEXT,
    PRIMARY KEY (platform, chat_key)
);
