-- Patrol observations: notes add up (one row per note, each removable), and an observation
-- turned into a report keeps the link to it, so it is converted only once and the figures
-- can tell which observations became reports.

CREATE TABLE patrol_observation_notes (
    id              INTEGER PRIMARY KEY,
    observation_id  INTEGER NOT NULL REFERENCES patrol_observations(id) ON DELETE CASCADE,
    text            TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX patrol_observation_notes_observation ON patrol_observation_notes(observation_id);

-- The single note an observation could hold until now becomes its first note.
INSERT INTO patrol_observation_notes (observation_id, text, created_at)
    SELECT id, note, created_at FROM patrol_observations WHERE note IS NOT NULL AND note <> '';
ALTER TABLE patrol_observations DROP COLUMN note;

ALTER TABLE patrol_observations ADD COLUMN report_id INTEGER
    REFERENCES reports(id) ON DELETE SET NULL;
CREATE UNIQUE INDEX patrol_observations_report ON patrol_observations(report_id)
    WHERE report_id IS NOT NULL;
