-- Files served as download links where a chat platform cannot take a document (Zalo): a chart,
-- a workbook, a CSV or the draft report, made for one person. The link names the row's id and
-- its expiry, signed; it works once (then the content is dropped) and only until it expires.

CREATE TABLE downloads (
    id          TEXT PRIMARY KEY,         -- random, in the link
    platform    TEXT NOT NULL,
    person_id   TEXT NOT NULL,            -- whom the link was given to
    filename    TEXT NOT NULL,
    content     BLOB NOT NULL,            -- emptied once downloaded
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE INDEX downloads_expiry ON downloads (expires_at);
