-- Communes: a deployment holds one commune (the usual case) or a whole province, whose
-- residential areas each belong to one commune. Districts are gone since 1 July 2025: the
-- province and the commune are the two tiers of local government.
-- A deployment that never names a commune has one, code 'XA', its name '' (shown as the
-- configured commune name): every area of a database upgraded from before holds to it, and an
-- area added without a commune joins the first commune (created then if there is none yet).

CREATE TABLE communes (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

INSERT INTO communes (code, name, created_at)
SELECT 'XA', '', MIN(created_at) FROM areas HAVING COUNT(*) > 0;

-- SQLite adds a REFERENCES column only as nullable; the triggers below keep it never NULL
-- (a table rebuild of areas would cascade deletes into every table that references it).
ALTER TABLE areas ADD COLUMN commune_id INTEGER REFERENCES communes(id);
UPDATE areas SET commune_id = (SELECT MIN(id) FROM communes);
CREATE INDEX areas_commune ON areas(commune_id, code);

CREATE TRIGGER areas_default_commune AFTER INSERT ON areas WHEN NEW.commune_id IS NULL
BEGIN
    INSERT INTO communes (code, name, created_at)
    SELECT 'XA', '', NEW.created_at WHERE NOT EXISTS (SELECT 1 FROM communes);
    UPDATE areas SET commune_id = (SELECT MIN(id) FROM communes) WHERE id = NEW.id;
END;

CREATE TRIGGER areas_commune_kept BEFORE UPDATE OF commune_id ON areas
WHEN NEW.commune_id IS NULL
BEGIN
    SELECT RAISE(ABORT, 'an area belongs to a commune');
END;

-- Officers: commune_id NULL is an officer of the whole deployment (the province, or the one
-- commune: every officer granted before this migration); a commune officer has its commune.
-- Leaders keep their area and admins stay deployment-wide: neither carries a commune.
ALTER TABLE roles ADD COLUMN commune_id INTEGER REFERENCES communes(id) ON DELETE CASCADE;
DROP INDEX IF EXISTS roles_unique;
CREATE UNIQUE INDEX roles_unique
    ON roles(member_id, role, COALESCE(area_id, 0), COALESCE(commune_id, 0));

CREATE TRIGGER roles_commune_officers BEFORE INSERT ON roles
WHEN NEW.commune_id IS NOT NULL AND NEW.role <> 'officer'
BEGIN
    SELECT RAISE(ABORT, 'only an officer is granted a commune');
END;
