-- Moving a commune in (issue 17, point 4): `xomantoan copy` keeps, in the database it copies
-- into, which row of which source became which row here, so that a second run copies nothing
-- twice and the copy can be checked row by row. `source` is the fingerprint of the database
-- copied from (bot/storage/copying.py); merged rows (a person already here) are kept too.
-- The copy targets PostgreSQL; the table exists on SQLite as well so both schemas stay one.
CREATE TABLE copied_rows (
    source      TEXT NOT NULL,
    table_name  TEXT NOT NULL,
    old_id      INTEGER NOT NULL,
    new_id      INTEGER NOT NULL,
    merged      INTEGER NOT NULL DEFAULT 0 CHECK (merged IN (0, 1)),
    copied_at   TEXT NOT NULL,
    PRIMARY KEY (source, table_name, old_id)
);
CREATE INDEX copied_rows_new ON copied_rows(table_name, new_id);
