-- Following groups that became supergroups, and keeping the figures when old rows are purged.

-- Every group that moved to a new chat id (Telegram's group -> supergroup upgrade), so a reply
-- or a message meant for the old id still reaches the group.
CREATE TABLE chat_migrations (
    platform     TEXT NOT NULL,
    old_chat_id  INTEGER NOT NULL,
    new_chat_id  INTEGER NOT NULL,
    migrated_at  TEXT NOT NULL,
    PRIMARY KEY (platform, old_chat_id)
);

-- Delivery counts of a broadcast run's outbox rows, by the recipient's area (NULL: none), written
-- just before housekeeping purges those rows: the awareness figures add them to what is left.
CREATE TABLE broadcast_delivery_counts (
    run_id   INTEGER NOT NULL REFERENCES broadcast_runs(id) ON DELETE CASCADE,
    area_id  INTEGER,
    sent     INTEGER NOT NULL DEFAULT 0,
    failed   INTEGER NOT NULL DEFAULT 0,
    skipped  INTEGER NOT NULL DEFAULT 0,
    pending  INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX broadcast_delivery_counts_key
    ON broadcast_delivery_counts(run_id, COALESCE(area_id, 0));
