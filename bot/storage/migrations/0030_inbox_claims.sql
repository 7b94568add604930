-- Telegram webhook mode: several bot processes behind one HTTPS address, any of which may
-- receive any update. Each update is kept in the inbox with its chat's key when it arrives;
-- a process handles a chat's updates only while it holds that chat's claim (one holder at a
-- time, until a lease time it renews while it works), in update order. A process that dies
-- holding claims stops renewing them: once their lease has passed, another takes them over.

ALTER TABLE inbox ADD COLUMN chat_key TEXT;
CREATE INDEX inbox_chat ON inbox (platform, chat_key, update_id);

CREATE TABLE inbox_claims (
    platform    TEXT NOT NULL,
    chat_key    TEXT NOT NULL,
    holder      TEXT,                     -- the process handling the chat (NULL: nobody)
    until       TEXT,                     -- its lease ends then unless renewed
    PRIMARY KEY (platform, chat_key)
);
