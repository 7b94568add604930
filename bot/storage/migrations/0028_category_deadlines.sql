-- Deadlines by category (issue 16, point 5): a commune's officers may give a report category
-- its own acknowledgement (minutes) and resolution (days) deadlines, overriding the commune's
-- general ones (report_deadlines). A row whose value is NULL follows the commune's general
-- deadline (a reset: it also overrides the built-in default some categories have); no row at
-- all means the category's built-in default, if any (bot.features.reports.handling).
CREATE TABLE report_category_deadlines (
    commune_id    INTEGER NOT NULL REFERENCES communes(id) ON DELETE CASCADE,
    category      TEXT NOT NULL,
    ack_minutes   INTEGER CHECK (ack_minutes IS NULL OR ack_minutes > 0),
    resolve_days  INTEGER CHECK (resolve_days IS NULL OR resolve_days > 0),
    updated_by    INTEGER REFERENCES members(id) ON DELETE SET NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (commune_id, category)
);
