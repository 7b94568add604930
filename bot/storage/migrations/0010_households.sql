-- The household register of each area (sổ theo dõi hộ gia đình): a household has a stable
-- identity in its area, and pledges point to it, so coverage counts households, never spellings.
-- number: the household or house number as the leader uses it ('' when none).
-- The keys are folded (see bot/storage/folding.py): number_key for the number, match_key for
-- the identity (head's name and place), search_key for searching without diacritics.
-- removed_at: a household taken off the register; its signed pledges stay on record.

CREATE TABLE households (
    id          INTEGER PRIMARY KEY,
    area_id     INTEGER NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
    number      TEXT NOT NULL DEFAULT '',
    head_name   TEXT NOT NULL,
    address     TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    number_key  TEXT NOT NULL DEFAULT '',
    match_key   TEXT NOT NULL,
    search_key  TEXT NOT NULL,
    source      TEXT NOT NULL DEFAULT 'register'
                CHECK (source IN ('register', 'resident', 'import', 'migrated')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    removed_at  TEXT
);
CREATE UNIQUE INDEX households_identity ON households(area_id, match_key)
    WHERE removed_at IS NULL;
CREATE UNIQUE INDEX households_number ON households(area_id, number_key)
    WHERE removed_at IS NULL AND number_key <> '';
CREATE INDEX households_area ON households(area_id, removed_at);

ALTER TABLE pledges ADD COLUMN household_id INTEGER REFERENCES households(id) ON DELETE SET NULL;
CREATE INDEX pledges_household ON pledges(household_id, campaign_id);

-- Existing pledges: every free-text household becomes a register entry of its area; spellings
-- whose folded keys are equal ("Số 12, xóm 3" and "Số 12 xóm 3") become one household, named as
-- in its first pledge. xat_match_key and xat_search_key are registered by the connection.
INSERT INTO households (area_id, head_name, address, match_key, search_key, source,
                        created_at, updated_at)
SELECT area_id, head_name, address, xat_match_key('', head_name, address),
       xat_search_key('', head_name, address, ''), 'migrated', MIN(signed_at), MIN(signed_at)
FROM pledges
WHERE audience = 'household' AND area_id IS NOT NULL
GROUP BY area_id, xat_match_key('', head_name, address);

UPDATE pledges SET household_id = (
    SELECT h.id FROM households h
    WHERE h.area_id = pledges.area_id
      AND h.match_key = xat_match_key('', pledges.head_name, pledges.address)
      AND h.removed_at IS NULL
)
WHERE audience = 'household' AND area_id IS NOT NULL;
