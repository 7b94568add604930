-- The figures of a province-year (1,700 areas, a million rows, ten million outbox rows) from
-- indexes instead of table scans and temporary sorts.

-- Reports counted per month: for each category and status (known lists), a range of days in
-- these indexes, read in group order (no temporary sort), for everyone or for some areas.
-- The downloads page through reports by time.
CREATE INDEX reports_counted
    ON reports(category, status, created_at, happening_now, anonymous);
CREATE INDEX reports_area_counted
    ON reports(area_id, category, status, created_at, happening_now, anonymous);
CREATE INDEX reports_time ON reports(created_at);
CREATE INDEX reports_area_time ON reports(area_id, created_at, category, status);

-- Patrols per month with their participants: the head count plus the named people who did not
-- decline, kept on the patrol (``named``) by triggers, so counting reads one index.
ALTER TABLE patrols ADD COLUMN named INTEGER NOT NULL DEFAULT 0;
UPDATE patrols SET named = (SELECT COUNT(*) FROM patrol_participants pp
                            WHERE pp.patrol_id = patrols.id AND pp.declined_at IS NULL);
CREATE TRIGGER patrol_participants_named_insert AFTER INSERT ON patrol_participants BEGIN
    UPDATE patrols SET named = (SELECT COUNT(*) FROM patrol_participants pp
                                WHERE pp.patrol_id = patrols.id AND pp.declined_at IS NULL)
    WHERE id = new.patrol_id;
END;
CREATE TRIGGER patrol_participants_named_update
    AFTER UPDATE OF patrol_id, declined_at ON patrol_participants BEGIN
    UPDATE patrols SET named = (SELECT COUNT(*) FROM patrol_participants pp
                                WHERE pp.patrol_id = patrols.id AND pp.declined_at IS NULL)
    WHERE id IN (old.patrol_id, new.patrol_id);
END;
CREATE TRIGGER patrol_participants_named_delete AFTER DELETE ON patrol_participants BEGIN
    UPDATE patrols SET named = (SELECT COUNT(*) FROM patrol_participants pp
                                WHERE pp.patrol_id = patrols.id AND pp.declined_at IS NULL)
    WHERE id = old.patrol_id;
END;
DROP INDEX patrols_time;
CREATE INDEX patrols_time ON patrols(started_at, area_id, headcount, named);
DROP INDEX patrols_area_time;
CREATE INDEX patrols_area_time ON patrols(area_id, started_at, headcount, named);

-- Cases seen on patrols, counted by the patrol's start and area: both are kept on the
-- observation by triggers (a patrol's start may be corrected), so counting reads one index
-- per kind instead of looking each patrol's observations up.
ALTER TABLE patrol_observations ADD COLUMN patrol_started_at TEXT;
ALTER TABLE patrol_observations ADD COLUMN patrol_area_id INTEGER;
UPDATE patrol_observations SET
    patrol_started_at = (SELECT started_at FROM patrols p WHERE p.id = patrol_id),
    patrol_area_id = (SELECT area_id FROM patrols p WHERE p.id = patrol_id);
CREATE TRIGGER patrol_observations_patrol_insert AFTER INSERT ON patrol_observations BEGIN
    UPDATE patrol_observations SET
        patrol_started_at = (SELECT started_at FROM patrols p WHERE p.id = new.patrol_id),
        patrol_area_id = (SELECT area_id FROM patrols p WHERE p.id = new.patrol_id)
    WHERE id = new.id;
END;
CREATE TRIGGER patrol_observations_patrol_moved AFTER UPDATE OF patrol_id ON patrol_observations
BEGIN
    UPDATE patrol_observations SET
        patrol_started_at = (SELECT started_at FROM patrols p WHERE p.id = new.patrol_id),
        patrol_area_id = (SELECT area_id FROM patrols p WHERE p.id = new.patrol_id)
    WHERE id = new.id;
END;
CREATE TRIGGER patrols_observations_follow AFTER UPDATE OF started_at, area_id ON patrols BEGIN
    UPDATE patrol_observations SET patrol_started_at = new.started_at,
                                   patrol_area_id = new.area_id
    WHERE patrol_id = new.id;
END;
CREATE INDEX patrol_observations_counted
    ON patrol_observations(kind, reminded, patrol_started_at, count);
CREATE INDEX patrol_observations_area_counted
    ON patrol_observations(patrol_area_id, kind, reminded, patrol_started_at, count);

-- Pledge coverage per area: the standing pledges of a campaign, from the index alone.
DROP INDEX pledges_area;
CREATE INDEX pledges_area
    ON pledges(campaign_id, area_id, audience, household_id, signed_at, withdrawn_at);

CREATE INDEX mediation_time ON mediation_cases(created_at, area_id, outcome);
CREATE INDEX broadcast_runs_time ON broadcast_runs(started_at);

-- A finished broadcast's delivery counts are kept per recipient area when it finishes (its
-- outbox rows no longer change), and in total on the run, so the awareness figures read a few
-- rows per broadcast instead of counting its messages one by one. Until now they were kept
-- only when housekeeping purged the rows: the finished runs' live rows are counted here once.
ALTER TABLE broadcast_runs ADD COLUMN counts_kept INTEGER NOT NULL DEFAULT 0;
ALTER TABLE broadcast_runs ADD COLUMN kept_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE broadcast_runs ADD COLUMN kept_failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE broadcast_runs ADD COLUMN kept_skipped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE broadcast_runs ADD COLUMN kept_pending INTEGER NOT NULL DEFAULT 0;
INSERT INTO broadcast_delivery_counts (run_id, area_id, sent, failed, skipped, pending)
    SELECT o.batch_id, COALESCE(c.area_id, m.area_id), SUM(o.status = 'sent'),
           SUM(o.status = 'failed'), SUM(o.status = 'skipped'),
           SUM(o.status IN ('pending', 'sending'))
    FROM outbox o
    JOIN broadcast_runs r ON r.id = o.batch_id AND r.status = 'done'
    LEFT JOIN chats c ON c.platform = o.platform AND c.chat_id = o.chat_id AND c.kind = 'group'
    LEFT JOIN members m ON m.platform = o.platform AND m.user_id = o.chat_id
    WHERE true
    GROUP BY o.batch_id, COALESCE(c.area_id, m.area_id)
    ON CONFLICT (run_id, COALESCE(area_id, 0)) DO UPDATE SET
        sent = sent + excluded.sent, failed = failed + excluded.failed,
        skipped = skipped + excluded.skipped, pending = pending + excluded.pending;
UPDATE broadcast_runs SET counts_kept = 1,
    kept_sent = (SELECT COALESCE(SUM(sent), 0) FROM broadcast_delivery_counts WHERE run_id = id),
    kept_failed = (SELECT COALESCE(SUM(failed), 0) FROM broadcast_delivery_counts
                   WHERE run_id = id),
    kept_skipped = (SELECT COALESCE(SUM(skipped), 0) FROM broadcast_delivery_counts
                    WHERE run_id = id),
    kept_pending = (SELECT COALESCE(SUM(pending), 0) FROM broadcast_delivery_counts
                    WHERE run_id = id)
    WHERE status = 'done';

-- The same counts per commune (of the recipients' areas when the run finished), with the run's
-- start, so a province's table per commune reads a hundred rows per broadcast by commune and
-- period from this table alone.
CREATE TABLE broadcast_commune_counts (
    commune_id  INTEGER NOT NULL,
    started_at  TEXT NOT NULL,
    run_id      INTEGER NOT NULL REFERENCES broadcast_runs(id) ON DELETE CASCADE,
    sent        INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (commune_id, started_at, run_id)
) WITHOUT ROWID;
CREATE INDEX broadcast_commune_counts_run ON broadcast_commune_counts(run_id);
INSERT INTO broadcast_commune_counts (commune_id, started_at, run_id, sent, failed)
    SELECT a.commune_id, r.started_at, r.id, SUM(k.sent), SUM(k.failed)
    FROM broadcast_runs r
    JOIN broadcast_delivery_counts k ON k.run_id = r.id
    JOIN areas a ON a.id = k.area_id
    WHERE r.counts_kept = 1 AND a.commune_id IS NOT NULL
    GROUP BY r.id, a.commune_id;
