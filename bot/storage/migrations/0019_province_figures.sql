-- The figures of a province-year (1,700 areas, a million rows, ten million outbox rows) from
-- indexes instead of table scans and temporary sorts.

-- Reports counted per month by category and status, for everyone or for some areas: the
-- counts read only these indexes.
CREATE INDEX reports_time ON reports(created_at, category, status, happening_now, anonymous);
CREATE INDEX reports_area_time
    ON reports(area_id, created_at, category, status, happening_now, anonymous);

-- Patrols per month with their head counts, named participants who did not decline, and the
-- cases seen on them.
DROP INDEX patrols_time;
CREATE INDEX patrols_time ON patrols(started_at, area_id, headcount);
DROP INDEX patrols_area_time;
CREATE INDEX patrols_area_time ON patrols(area_id, started_at, headcount);
CREATE INDEX patrol_participants_counted ON patrol_participants(patrol_id, declined_at);
CREATE INDEX patrol_observations_counted
    ON patrol_observations(patrol_id, kind, reminded, count);

-- Pledge coverage per area: the standing pledges of a campaign, from the index alone.
DROP INDEX pledges_area;
CREATE INDEX pledges_area
    ON pledges(campaign_id, area_id, audience, household_id, signed_at, withdrawn_at);

CREATE INDEX mediation_time ON mediation_cases(created_at, area_id, outcome);
CREATE INDEX broadcast_runs_time ON broadcast_runs(started_at);

-- A finished broadcast's delivery counts are kept per recipient area when it finishes (its
-- outbox rows no longer change), so the awareness figures read a few rows per broadcast
-- instead of counting its messages one by one. Until now they were kept only when
-- housekeeping purged the rows: the finished runs' live rows are counted here once.
ALTER TABLE broadcast_runs ADD COLUMN counts_kept INTEGER NOT NULL DEFAULT 0;
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
UPDATE broadcast_runs SET counts_kept = 1 WHERE status = 'done';
