-- case: limit_offset
-- influxql: SELECT "v" FROM "metrics" GROUP BY "host" LIMIT 5 OFFSET 3
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['v'], 'group_keys': ['host'], 'heap': HeapOrder(database=None, retention_policy=None, limit=5, offset=3, texts=0), 'measurement': 'metrics'}
SELECT "
grp_0", time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0", "
influxpy_tie" FROM (SELECT "host" AS "
grp_0", time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" AS "
col_0" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL) AND time <= (SELECT max(t) FROM (SELECT list_last(min(time, 8)) AS t FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL) GROUP BY "host"))) AS r ORDER BY "
grp_0" ASC, time ASC, "
influxpy_tie" ASC
-- stream: {'descending': False,
 'groups': 1,
 'heap_body': 'SELECT "host" AS "\n'
              'grp_0", time, concat_ws(\',\', CASE WHEN "dc" <> \'\' THEN \'dc=\' || "dc" END, CASE WHEN "host" <> \'\' THEN \'host=\' || "host" END) AS "\n'
              'influxpy_tie", "v" AS "\n'
              'col_0" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)',
 'series': ('SELECT "host" AS "\ngrp_0", time, "dc", "host" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)',
            'concat_ws(\',\', CASE WHEN "dc" <> \'\' THEN \'dc=\' || "dc" END, CASE WHEN "host" <> \'\' THEN \'host=\' || "host" END)',
            ('"dc"', '"host"')),
 'table': '"influxpy"."autogen.metrics"',
 'whole_series': False,
 'width': 6}
-- stream finish: Finish(outputs='"\ngrp_0", time, CASE WHEN typeof("\ncol_0") = \'DOUBLE\' AND isnan(TRY_CAST("\ncol_0" AS DOUBLE)) THEN NULL ELSE "\ncol_0" END AS "\ncol_0", "\ninfluxpy_tie"', where='', qualify='', terms='"\ngrp_0" ASC, time ASC, "\ninfluxpy_tie" ASC')
-- stream body:
SELECT "host" AS "
grp_0", time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" AS "
col_0" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL) AND time <= (SELECT max(t) FROM (SELECT list_last(min(time, 8)) AS t FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL) GROUP BY "host"))
-- stream count:
SELECT count(*) FROM "influxpy"."autogen.metrics"
-- stream slices: {}
SELECT sum(n), min(lo), max(hi), bool_or(n * 2 > 1000), arg_min("
grp_0", k), arg_max("
grp_0", k) FROM (SELECT *, sum(n) OVER (ORDER BY "
grp_0" ASC ROWS UNBOUNDED PRECEDING) - n AS start, count(*) FILTER (WHERE n * 2 > 1000) OVER (ORDER BY "
grp_0" ASC ROWS UNBOUNDED PRECEDING) AS bigs, row_number() OVER (ORDER BY "
grp_0" ASC ROWS UNBOUNDED PRECEDING) AS k FROM (SELECT "
grp_0", count(*) AS n, min(time) AS lo, max(time) AS hi FROM (SELECT "host" AS "
grp_0", time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" AS "
col_0" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL) AND time <= (SELECT max(t) FROM (SELECT list_last(min(time, 8)) AS t FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL) GROUP BY "host"))) AS r GROUP BY "
grp_0")) GROUP BY CASE WHEN n * 2 > 1000 THEN k ELSE 0 END, bigs, CASE WHEN n * 2 > 1000 THEN 0 ELSE start // 1000 END ORDER BY min(k)
-- stream histogram: {'s_e0': 'a'}
SELECT CAST((CAST(time AS HUGEINT) - 0) // 10 AS BIGINT) AS bucket, count(*), min(time), max(time) FROM (SELECT * FROM (SELECT "host" AS "
grp_0", time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" AS "
col_0" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL) AND time <= (SELECT max(t) FROM (SELECT list_last(min(time, 8)) AS t FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL) GROUP BY "host"))) AS b WHERE "
grp_0" = $s_e0) AS r GROUP BY bucket ORDER BY bucket
-- stream slice of series: {'s_hi0': 'b', 's_lo0': 'a'}
SELECT "
grp_0", time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0", "
influxpy_tie" FROM (SELECT * FROM (SELECT "host" AS "
grp_0", time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" AS "
col_0" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL) AND time <= (SELECT max(t) FROM (SELECT list_last(min(time, 8)) AS t FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL) GROUP BY "host"))) AS b WHERE "
grp_0" BETWEEN $s_lo0 AND $s_hi0) AS r ORDER BY "
grp_0" ASC, time ASC, "
influxpy_tie" ASC
-- stream slice of times: {'s_e0': 'a'}
SELECT "
grp_0", time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0", "
influxpy_tie" FROM (SELECT * FROM (SELECT "host" AS "
grp_0", time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" AS "
col_0" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL) AND time <= (SELECT max(t) FROM (SELECT list_last(min(time, 8)) AS t FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL) GROUP BY "host"))) AS b WHERE "
grp_0" = $s_e0 AND time >= 5 AND time <= 9) AS r ORDER BY "
grp_0" ASC, time ASC, "
influxpy_tie" ASC
