-- Messages a platform may deliver more than once (Zalo repeats a webhook call that got no answer
-- in time, and getUpdates may give again what it gave just before a restart): the platform's own
-- message id, kept in the transaction that keeps the update in the inbox, so a message is taken
-- once, across restarts too. Purged by the hourly housekeeping after a few days.

CREATE TABLE seen_messages (
    platform    TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    seen_at     TEXT NOT NULL,
    PRIMARY KEY (platform, message_id)
);
CREATE INDEX seen_messages_age ON seen_messages (seen_at);
