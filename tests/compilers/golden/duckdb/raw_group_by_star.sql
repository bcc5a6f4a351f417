-- case: raw_group_by_star
-- influxql: SELECT "v" FROM "metrics" GROUP BY *
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['v'], 'group_keys': ['dc', 'host'], 'heap': None, 'measurement': 'metrics'}
SELECT "
grp_0", "
grp_1", time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (SELECT "dc" AS "
grp_0", "host" AS "
grp_1", time, 0 AS "
influxpy_tie", "v" AS "
col_0" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)) AS r ORDER BY "
grp_0" ASC, "
grp_1" ASC, time ASC, "
influxpy_tie" ASC
-- stream: {'descending': False, 'groups': 2, 'heap_body': None, 'series': None, 'table': '"influxpy"."autogen.metrics"', 'whole_series': False, 'width': 4}
-- stream finish: Finish(outputs='"\ngrp_0", "\ngrp_1", time, CASE WHEN typeof("\ncol_0") = \'DOUBLE\' AND isnan(TRY_CAST("\ncol_0" AS DOUBLE)) THEN NULL ELSE "\ncol_0" END AS "\ncol_0"', where='', qualify='', terms='"\ngrp_0" ASC, "\ngrp_1" ASC, time ASC, "\ninfluxpy_tie" ASC')
-- stream body:
SELECT "dc" AS "
grp_0", "host" AS "
grp_1", time, 0 AS "
influxpy_tie", "v" AS "
col_0" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)
-- stream count:
SELECT count(*) FROM "influxpy"."autogen.metrics"
-- stream slices: {}
SELECT sum(n), min(lo), max(hi), bool_or(n * 2 > 1000), arg_min("
grp_0", k), arg_min("
grp_1", k), arg_max("
grp_0", k), arg_max("
grp_1", k) FROM (SELECT *, sum(n) OVER (ORDER BY "
grp_0" ASC, "
grp_1" ASC ROWS UNBOUNDED PRECEDING) - n AS start, count(*) FILTER (WHERE n * 2 > 1000) OVER (ORDER BY "
grp_0" ASC, "
grp_1" ASC ROWS UNBOUNDED PRECEDING) AS bigs, row_number() OVER (ORDER BY "
grp_0" ASC, "
grp_1" ASC ROWS UNBOUNDED PRECEDING) AS k FROM (SELECT "
grp_0", "
grp_1", count(*) AS n, min(time) AS lo, max(time) AS hi FROM (SELECT "dc" AS "
grp_0", "host" AS "
grp_1", time, 0 AS "
influxpy_tie", "v" AS "
col_0" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)) AS r GROUP BY "
grp_0", "
grp_1")) GROUP BY CASE WHEN n * 2 > 1000 THEN k ELSE 0 END, bigs, CASE WHEN n * 2 > 1000 THEN 0 ELSE start // 1000 END ORDER BY min(k)
-- stream histogram: {'s_e0': 'a', 's_e1': 'a'}
SELECT CAST((CAST(time AS HUGEINT) - 0) // 10 AS BIGINT) AS bucket, count(*), min(time), max(time) FROM (SELECT * FROM (SELECT "dc" AS "
grp_0", "host" AS "
grp_1", time, 0 AS "
influxpy_tie", "v" AS "
col_0" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)) AS b WHERE "
grp_0" = $s_e0 AND "
grp_1" = $s_e1) AS r GROUP BY bucket ORDER BY bucket
-- stream slice of series: {'s_hi0': 'b', 's_hi1': 'b', 's_lo0': 'a', 's_lo1': 'a'}
SELECT "
grp_0", "
grp_1", time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (SELECT * FROM (SELECT "dc" AS "
grp_0", "host" AS "
grp_1", time, 0 AS "
influxpy_tie", "v" AS "
col_0" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)) AS b WHERE "
grp_0" BETWEEN $s_lo0 AND $s_hi0 AND ("
grp_0" != $s_lo0 OR "
grp_1" >= $s_lo1) AND ("
grp_0" != $s_hi0 OR "
grp_1" <= $s_hi1)) AS r ORDER BY "
grp_0" ASC, "
grp_1" ASC, time ASC, "
influxpy_tie" ASC
-- stream slice of times: {'s_e0': 'a', 's_e1': 'a'}
SELECT "
grp_0", "
grp_1", time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (SELECT * FROM (SELECT "dc" AS "
grp_0", "host" AS "
grp_1", time, 0 AS "
influxpy_tie", "v" AS "
col_0" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)) AS b WHERE "
grp_0" = $s_e0 AND "
grp_1" = $s_e1 AND time >= 5 AND time <= 9) AS r ORDER BY "
grp_0" ASC, "
grp_1" ASC, time ASC, "
influxpy_tie" ASC
