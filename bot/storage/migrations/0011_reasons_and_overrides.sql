-- Records officers can stand behind (issue #11, points 5 and 7).
--
-- A report's final status (resolved, not a matter for the commune, duplicate) carries a reason
-- written for the reporter: /track and the reporter's notice show it. Notes stay internal.
ALTER TABLE report_events ADD COLUMN reason TEXT;

-- A rating criterion keeps what the bot's records suggested when it was recorded
-- (1 met, 0 not met, NULL no suggestion), so a verdict against the evidence stays visible
-- with its required note in the commune table and the exports.
ALTER TABLE area_rating_criteria ADD COLUMN suggested INTEGER CHECK (suggested IN (0, 1));
