-- Nothing to change on SQLite: PostgreSQL's migration 0034 drops the sum(boolean) aggregate
-- its baseline defined for SQLite-style SUM(condition); the repositories no longer use it
-- (SUM(CASE WHEN condition THEN 1 ELSE 0 END) on both engines). The number is kept the same
-- on both engines (tests/unit/test_postgresql_migrations.py).
SELECT 1;
