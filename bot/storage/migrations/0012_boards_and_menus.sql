-- The public pledge boards posted in groups: which outbox messages carried each board, so a
-- board can be edited in place when a listed household leaves it (for example on /forgetme).

CREATE TABLE pledge_boards (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER NOT NULL REFERENCES pledge_campaigns(id) ON DELETE CASCADE,
    area_id      INTEGER NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
    platform     TEXT NOT NULL,
    chat_id      INTEGER NOT NULL,
    language     TEXT NOT NULL,
    outbox_ids   TEXT NOT NULL DEFAULT '[]',   -- JSON list: one outbox id per part, in order
    posted_at    TEXT NOT NULL
);
CREATE INDEX pledge_boards_campaign_area ON pledge_boards(campaign_id, area_id);

-- Menus: the conversation step a menu was shown in (its token at the time, bound or not), so a
-- number typed later is taken as a choice only for the current step's menu; and the message
-- with its options, so the current step can be shown again where the screen was lost (console).
ALTER TABLE menus ADD COLUMN step_token TEXT;
ALTER TABLE menus ADD COLUMN shown TEXT;
