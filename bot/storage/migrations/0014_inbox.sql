-- Updates fetched from a platform and not handled yet. The poller confirms a batch to the
-- platform (which then forgets it) while some chats are still busy with earlier updates; the
-- updates waiting here are handled after a restart instead of being lost. A row is deleted as
-- soon as its update's transaction has committed.

CREATE TABLE inbox (
    platform    TEXT NOT NULL,
    update_id   INTEGER NOT NULL,
    body        TEXT NOT NULL,            -- the update as the platform sent it (JSON)
    received_at TEXT NOT NULL,
    PRIMARY KEY (platform, update_id)
);
