-- Days' and weeks' histograms kept by group, as months', quarters' and years' already were
-- (issue #19; docs/performance.md): a period report adds up stored groups instead of
-- regrouping every day's rows by (service, role, counter, operator), and may subtract them
-- (queue_server/adapters/facts_sql.py, histogram_units). The same statements as the office's
-- layout step 6 (queue_server/adapters/migrations.py, _REGROUP).
INSERT INTO fact_hist_group (office_id, unit, start, dim, key, metric, bin, n, us)
SELECT office_id, unit, start, 'service', COALESCE(service, ''), metric, bin, sum(n), sum(us) FROM fact_hist
WHERE metric NOT IN ('t', 'b') GROUP BY office_id, unit, start, COALESCE(service, ''), metric, bin;
INSERT INTO fact_hist_group (office_id, unit, start, dim, key, metric, bin, n, us)
SELECT office_id, unit, start, 'role', role, metric, bin, sum(n), sum(us) FROM fact_hist
WHERE metric NOT IN ('t', 'b') AND role IS NOT NULL GROUP BY office_id, unit, start, role, metric, bin;
INSERT INTO fact_hist_group (office_id, unit, start, dim, key, metric, bin, n, us)
SELECT office_id, unit, start, 'counter', counter, metric, bin, sum(n), sum(us) FROM fact_hist
WHERE counter IS NOT NULL GROUP BY office_id, unit, start, counter, metric, bin;
INSERT INTO fact_hist_group (office_id, unit, start, dim, key, metric, bin, n, us)
SELECT office_id, unit, start, 'operator', operator, metric, bin, sum(n), sum(us) FROM fact_hist
WHERE operator IS NOT NULL GROUP BY office_id, unit, start, operator, metric, bin;
INSERT INTO fact_hist_group (office_id, unit, start, dim, key, metric, bin, n, us)
SELECT office_id, unit, start, 'visit', '', metric, bin, sum(n), sum(us) FROM fact_hist
WHERE metric IN ('t', 'b') GROUP BY office_id, unit, start, metric, bin;
DROP TABLE fact_hist;
ANALYZE fact_hist_group;
