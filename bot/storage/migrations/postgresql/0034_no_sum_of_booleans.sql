-- The baseline's sum(boolean) aggregate let SQLite-style SUM(condition) run on PostgreSQL. The
-- repositories now count with SUM(CASE WHEN condition THEN 1 ELSE 0 END), the same SQL on both
-- engines, so the aggregate goes: SQL that still leans on it fails on PostgreSQL's tests
-- instead of counting differently in production.
DROP AGGREGATE sum(BOOLEAN);
DROP FUNCTION xat_sum_true(BIGINT, BOOLEAN);
