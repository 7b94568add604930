-- Moving a commune in (issue 17, point 4). The same as SQLite's 0031_copied_rows.sql:
-- `xomantoan copy` keeps which row of which source became which row here, so that a second
-- run copies nothing twice and the copy can be checked row by row; `source` is the
-- fingerprint of the database copied from (bot/storage/copying.py); merged rows (a person
-- already here) are kept too.
CREATE TABLE copied_rows (
    source      TEXT NOT NULL,
    table_name  TEXT NOT NULL,
    old_id      BIGINT NOT NULL,
    new_id      BIGINT NOT NULL,
    merged      BIGINT NOT NULL DEFAULT 0 CHECK (merged IN (0, 1)),
    copied_at   TEXT NOT NULL,
    PRIMARY KEY (source, table_name, old_id)
);
CREATE INDEX copied_rows_new ON copied_rows(table_name, new_id);
