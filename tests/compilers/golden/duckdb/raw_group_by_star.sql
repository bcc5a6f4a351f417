-- case: raw_group_by_star
-- influxql: SELECT "v" FROM "metrics" GROUP BY *
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['v'], 'group_keys': ['dc', 'host'], 'measurement': 'metrics'}
SELECT g0, g1, time, c0 FROM (SELECT "dc" AS g0, "host" AS g1, time, 0 AS influxpy_tie, "v" AS c0 FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)) AS r ORDER BY g0 ASC, g1 ASC, time ASC, influxpy_tie ASC
-- stream: {'descending': False, 'groups': 2, 'table': '"influxpy"."autogen.metrics"', 'whole_series': False, 'width': 4}
-- stream finish: Finish(outputs='g0, g1, time, c0', where='', qualify='', terms='g0 ASC, g1 ASC, time ASC, influxpy_tie ASC')
-- stream body:
SELECT "dc" AS g0, "host" AS g1, time, 0 AS influxpy_tie, "v" AS c0 FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)
-- stream count:
SELECT count(*) FROM "influxpy"."autogen.metrics"
-- stream slices: {}
SELECT sum(n), min(lo), max(hi), bool_or(n * 2 > 1000), arg_min(g0, k), arg_min(g1, k), arg_max(g0, k), arg_max(g1, k) FROM (SELECT *, sum(n) OVER (ORDER BY g0 ASC, g1 ASC ROWS UNBOUNDED PRECEDING) - n AS start, count(*) FILTER (WHERE n * 2 > 1000) OVER (ORDER BY g0 ASC, g1 ASC ROWS UNBOUNDED PRECEDING) AS bigs, row_number() OVER (ORDER BY g0 ASC, g1 ASC ROWS UNBOUNDED PRECEDING) AS k FROM (SELECT g0, g1, count(*) AS n, min(time) AS lo, max(time) AS hi FROM (SELECT "dc" AS g0, "host" AS g1, time, 0 AS influxpy_tie, "v" AS c0 FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)) AS r GROUP BY g0, g1)) GROUP BY CASE WHEN n * 2 > 1000 THEN k ELSE 0 END, bigs, CASE WHEN n * 2 > 1000 THEN 0 ELSE start // 1000 END ORDER BY min(k)
-- stream histogram: {'s_e0': 'a', 's_e1': 'a'}
SELECT CAST((CAST(time AS HUGEINT) - 0) // 10 AS BIGINT) AS bucket, count(*) FROM (SELECT * FROM (SELECT "dc" AS g0, "host" AS g1, time, 0 AS influxpy_tie, "v" AS c0 FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)) AS b WHERE g0 = $s_e0 AND g1 = $s_e1) AS r GROUP BY bucket ORDER BY bucket
-- stream slice of series: {'s_hi0': 'b', 's_hi1': 'b', 's_lo0': 'a', 's_lo1': 'a'}
SELECT g0, g1, time, c0 FROM (SELECT * FROM (SELECT "dc" AS g0, "host" AS g1, time, 0 AS influxpy_tie, "v" AS c0 FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)) AS b WHERE g0 BETWEEN $s_lo0 AND $s_hi0 AND (g0 != $s_lo0 OR g1 >= $s_lo1) AND (g0 != $s_hi0 OR g1 <= $s_hi1)) AS r ORDER BY g0 ASC, g1 ASC, time ASC, influxpy_tie ASC
-- stream slice of times: {'s_e0': 'a', 's_e1': 'a'}
SELECT g0, g1, time, c0 FROM (SELECT * FROM (SELECT "dc" AS g0, "host" AS g1, time, 0 AS influxpy_tie, "v" AS c0 FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)) AS b WHERE g0 = $s_e0 AND g1 = $s_e1 AND time >= 5 AND time <= 9) AS r ORDER BY g0 ASC, g1 ASC, time ASC, influxpy_tie ASC
