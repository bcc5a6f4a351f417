-- case: raw_math
-- influxql: SELECT ("v" * 2) + "n" AS "x", "n" / 3 AS "y", "n" % 2 AS "z" FROM "metrics"
-- writes: False
-- params: {'p0': 2, 'p1': 3, 'p2': 2}
-- meta: {'action': 'select', 'columns': ['x', 'y', 'z'], 'group_keys': [], 'heap': HeapOrder(database=None, retention_policy=None, limit=None, offset=None, texts=0), 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0", CASE WHEN typeof("
col_1") = 'DOUBLE' AND isnan(TRY_CAST("
col_1" AS DOUBLE)) THEN NULL ELSE "
col_1" END AS "
col_1", CASE WHEN typeof("
col_2") = 'DOUBLE' AND isnan(TRY_CAST("
col_2" AS DOUBLE)) THEN NULL ELSE "
col_2" END AS "
col_2", "
influxpy_tie" FROM (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", (CAST((CAST("v" AS DOUBLE) * CAST(CAST($p0 AS BIGINT) AS DOUBLE)) AS DOUBLE) + CAST("n" AS DOUBLE)) AS "
col_0", (CASE WHEN "n" IS NULL THEN NULL WHEN CAST($p1 AS BIGINT) = 0 THEN 0.0 ELSE CAST("n" AS DOUBLE) / CAST($p1 AS BIGINT) END) AS "
col_1", (CASE WHEN "n" IS NULL THEN NULL WHEN CAST($p2 AS BIGINT) = 0 THEN 0 ELSE "n" % CAST($p2 AS BIGINT) END) AS "
col_2" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("n" IS NOT NULL OR "v" IS NOT NULL)) AS r ORDER BY time ASC, "
influxpy_tie" ASC
-- stream: {'descending': False,
 'groups': 0,
 'heap_body': None,
 'series': ('SELECT time, "dc", "host" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("n" IS NOT NULL OR "v" IS NOT NULL)',
            'concat_ws(\',\', CASE WHEN "dc" <> \'\' THEN \'dc=\' || "dc" END, CASE WHEN "host" <> \'\' THEN \'host=\' || "host" END)',
            ('"dc"', '"host"')),
 'table': '"influxpy"."autogen.metrics"',
 'whole_series': False,
 'width': 7}
-- stream finish: Finish(outputs='time, CASE WHEN typeof("\ncol_0") = \'DOUBLE\' AND isnan(TRY_CAST("\ncol_0" AS DOUBLE)) THEN NULL ELSE "\ncol_0" END AS "\ncol_0", CASE WHEN typeof("\ncol_1") = \'DOUBLE\' AND isnan(TRY_CAST("\ncol_1" AS DOUBLE)) THEN NULL ELSE "\ncol_1" END AS "\ncol_1", CASE WHEN typeof("\ncol_2") = \'DOUBLE\' AND isnan(TRY_CAST("\ncol_2" AS DOUBLE)) THEN NULL ELSE "\ncol_2" END AS "\ncol_2", "\ninfluxpy_tie"', where='', qualify='', terms='time ASC, "\ninfluxpy_tie" ASC')
-- stream body:
SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", (CAST((CAST("v" AS DOUBLE) * CAST(CAST($p0 AS BIGINT) AS DOUBLE)) AS DOUBLE) + CAST("n" AS DOUBLE)) AS "
col_0", (CASE WHEN "n" IS NULL THEN NULL WHEN CAST($p1 AS BIGINT) = 0 THEN 0.0 ELSE CAST("n" AS DOUBLE) / CAST($p1 AS BIGINT) END) AS "
col_1", (CASE WHEN "n" IS NULL THEN NULL WHEN CAST($p2 AS BIGINT) = 0 THEN 0 ELSE "n" % CAST($p2 AS BIGINT) END) AS "
col_2" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("n" IS NOT NULL OR "v" IS NOT NULL)
-- stream count:
SELECT count(*) FROM "influxpy"."autogen.metrics"
-- stream slices: {'p0': 2, 'p1': 3, 'p2': 2}
SELECT n, lo, hi, n * 2 > 1000 FROM (SELECT count(*) AS n, min(time) AS lo, max(time) AS hi FROM (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", (CAST((CAST("v" AS DOUBLE) * CAST(CAST($p0 AS BIGINT) AS DOUBLE)) AS DOUBLE) + CAST("n" AS DOUBLE)) AS "
col_0", (CASE WHEN "n" IS NULL THEN NULL WHEN CAST($p1 AS BIGINT) = 0 THEN 0.0 ELSE CAST("n" AS DOUBLE) / CAST($p1 AS BIGINT) END) AS "
col_1", (CASE WHEN "n" IS NULL THEN NULL WHEN CAST($p2 AS BIGINT) = 0 THEN 0 ELSE "n" % CAST($p2 AS BIGINT) END) AS "
col_2" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("n" IS NOT NULL OR "v" IS NOT NULL)) AS r) WHERE n > 0
-- stream histogram: {'p0': 2, 'p1': 3, 'p2': 2}
SELECT CAST((CAST(time AS HUGEINT) - 0) // 10 AS BIGINT) AS bucket, count(*), min(time), max(time) FROM (SELECT * FROM (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", (CAST((CAST("v" AS DOUBLE) * CAST(CAST($p0 AS BIGINT) AS DOUBLE)) AS DOUBLE) + CAST("n" AS DOUBLE)) AS "
col_0", (CASE WHEN "n" IS NULL THEN NULL WHEN CAST($p1 AS BIGINT) = 0 THEN 0.0 ELSE CAST("n" AS DOUBLE) / CAST($p1 AS BIGINT) END) AS "
col_1", (CASE WHEN "n" IS NULL THEN NULL WHEN CAST($p2 AS BIGINT) = 0 THEN 0 ELSE "n" % CAST($p2 AS BIGINT) END) AS "
col_2" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("n" IS NOT NULL OR "v" IS NOT NULL)) AS b WHERE TRUE) AS r GROUP BY bucket ORDER BY bucket
-- stream slice of series: {'p0': 2, 'p1': 3, 'p2': 2}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0", CASE WHEN typeof("
col_1") = 'DOUBLE' AND isnan(TRY_CAST("
col_1" AS DOUBLE)) THEN NULL ELSE "
col_1" END AS "
col_1", CASE WHEN typeof("
col_2") = 'DOUBLE' AND isnan(TRY_CAST("
col_2" AS DOUBLE)) THEN NULL ELSE "
col_2" END AS "
col_2", "
influxpy_tie" FROM (SELECT * FROM (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", (CAST((CAST("v" AS DOUBLE) * CAST(CAST($p0 AS BIGINT) AS DOUBLE)) AS DOUBLE) + CAST("n" AS DOUBLE)) AS "
col_0", (CASE WHEN "n" IS NULL THEN NULL WHEN CAST($p1 AS BIGINT) = 0 THEN 0.0 ELSE CAST("n" AS DOUBLE) / CAST($p1 AS BIGINT) END) AS "
col_1", (CASE WHEN "n" IS NULL THEN NULL WHEN CAST($p2 AS BIGINT) = 0 THEN 0 ELSE "n" % CAST($p2 AS BIGINT) END) AS "
col_2" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("n" IS NOT NULL OR "v" IS NOT NULL)) AS b WHERE TRUE) AS r ORDER BY time ASC, "
influxpy_tie" ASC
-- stream slice of times: {'p0': 2, 'p1': 3, 'p2': 2}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0", CASE WHEN typeof("
col_1") = 'DOUBLE' AND isnan(TRY_CAST("
col_1" AS DOUBLE)) THEN NULL ELSE "
col_1" END AS "
col_1", CASE WHEN typeof("
col_2") = 'DOUBLE' AND isnan(TRY_CAST("
col_2" AS DOUBLE)) THEN NULL ELSE "
col_2" END AS "
col_2", "
influxpy_tie" FROM (SELECT * FROM (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", (CAST((CAST("v" AS DOUBLE) * CAST(CAST($p0 AS BIGINT) AS DOUBLE)) AS DOUBLE) + CAST("n" AS DOUBLE)) AS "
col_0", (CASE WHEN "n" IS NULL THEN NULL WHEN CAST($p1 AS BIGINT) = 0 THEN 0.0 ELSE CAST("n" AS DOUBLE) / CAST($p1 AS BIGINT) END) AS "
col_1", (CASE WHEN "n" IS NULL THEN NULL WHEN CAST($p2 AS BIGINT) = 0 THEN 0 ELSE "n" % CAST($p2 AS BIGINT) END) AS "
col_2" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("n" IS NOT NULL OR "v" IS NOT NULL)) AS b WHERE TRUE AND time >= 5 AND time <= 9) AS r ORDER BY time ASC, "
influxpy_tie" ASC
