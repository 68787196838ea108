-- Days' and weeks' histograms kept by group, as months', quarters' and years' already were
-- (issue #19; docs/performance.md): a period report adds up stored groups instead of
-- regrouping every day's rows by (service, role, counter, operator), and may subtract them
-- (queue_server/adapters/facts_sql.py, histogram_units). The same groups as the office's
-- layout step 6 (queue_server/adapters/migrations.py, _REGROUP). Office by office, each
-- office's rows written in the order a report reads them: a unit's rows side by side on
-- disk, in the order its ranking sorts them (inserted in hash order instead, the bench
-- network's unaligned year took 22 s instead of 5).
DO $$
DECLARE
    o integer;
BEGIN
    FOR o IN SELECT DISTINCT office_id FROM fact_hist ORDER BY 1 LOOP
        INSERT INTO fact_hist_group (office_id, unit, start, dim, key, metric, bin, n, us)
        SELECT * FROM (
            SELECT office_id, unit, start, 'service' AS dim, COALESCE(service, '') AS key, metric, bin,
                   sum(n) AS n, sum(us) AS us
            FROM fact_hist WHERE office_id = o AND metric NOT IN ('t', 'b')
            GROUP BY office_id, unit, start, COALESCE(service, ''), metric, bin
            UNION ALL
            SELECT office_id, unit, start, 'role', role, metric, bin, sum(n), sum(us)
            FROM fact_hist WHERE office_id = o AND metric NOT IN ('t', 'b') AND role IS NOT NULL
            GROUP BY office_id, unit, start, role, metric, bin
            UNION ALL
            SELECT office_id, unit, start, 'counter', counter, metric, bin, sum(n), sum(us)
            FROM fact_hist WHERE office_id = o AND counter IS NOT NULL
            GROUP BY office_id, unit, start, counter, metric, bin
            UNION ALL
            SELECT office_id, unit, start, 'operator', operator, metric, bin, sum(n), sum(us)
            FROM fact_hist WHERE office_id = o AND operator IS NOT NULL
            GROUP BY office_id, unit, start, operator, metric, bin
            UNION ALL
            SELECT office_id, unit, start, 'visit', '', metric, bin, sum(n), sum(us)
            FROM fact_hist WHERE office_id = o AND metric IN ('t', 'b')
            GROUP BY office_id, unit, start, metric, bin
        ) g ORDER BY unit, start, dim, key, metric, bin;
    END LOOP;
END
$$;
DROP TABLE fact_hist;
ANALYZE fact_hist_group;
