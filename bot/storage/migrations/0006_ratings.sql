-- The yearly rating of "safe residential areas" (bình xét khu dân cư an toàn về ANTT,
-- Thông tư 124/2021/TT-BCA). An officer opens a year; for each area the five criteria are
-- recorded as met / not met with a note, then the result. Nothing is ever deleted on re-rating:
-- rows are updated in place and every change is written to the audit log.

CREATE TABLE rating_years (
    year        INTEGER PRIMARY KEY CHECK (year BETWEEN 2000 AND 2999),
    opened_by   INTEGER REFERENCES members(id) ON DELETE SET NULL,
    opened_at   TEXT NOT NULL,
    closed_by   INTEGER REFERENCES members(id) ON DELETE SET NULL,
    closed_at   TEXT                     -- finalised: no more changes until reopened
);

CREATE TABLE area_ratings (
    id          INTEGER PRIMARY KEY,
    year        INTEGER NOT NULL REFERENCES rating_years(year),
    area_id     INTEGER NOT NULL REFERENCES areas(id),
    result      INTEGER CHECK (result IN (0, 1)),   -- NULL until decided
    decided_by  INTEGER REFERENCES members(id) ON DELETE SET NULL,
    decided_at  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (year, area_id)
);
CREATE INDEX area_ratings_area ON area_ratings(area_id, year);

-- One row per recorded criterion (1..5); a criterion without a row is not recorded yet.
CREATE TABLE area_rating_criteria (
    rating_id    INTEGER NOT NULL REFERENCES area_ratings(id),
    criterion    INTEGER NOT NULL CHECK (criterion BETWEEN 1 AND 5),
    met          INTEGER CHECK (met IN (0, 1)),      -- NULL while only a note was given
    note         TEXT,
    recorded_by  INTEGER REFERENCES members(id) ON DELETE SET NULL,
    recorded_at  TEXT NOT NULL,
    PRIMARY KEY (rating_id, criterion)
);
