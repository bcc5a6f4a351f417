-- case: raw_every_type
-- influxql: SELECT "v", "n", "s", "b", "host" FROM "metrics"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['v', 'n', 's', 'b', 'host'], 'group_keys': [], 'heap': HeapOrder(database=None, retention_policy=None, limit=None, offset=None, texts=0), 'measurement': 'metrics'}
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
col_2", CASE WHEN typeof("
col_3") = 'DOUBLE' AND isnan(TRY_CAST("
col_3" AS DOUBLE)) THEN NULL ELSE "
col_3" END AS "
col_3", CASE WHEN typeof("
col_4") = 'DOUBLE' AND isnan(TRY_CAST("
col_4" AS DOUBLE)) THEN NULL ELSE "
col_4" END AS "
col_4", "
influxpy_tie" FROM (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" AS "
col_0", "n" AS "
col_1", "s" AS "
col_2", "b" AS "
col_3", NULLIF("host", '') AS "
col_4" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("b" IS NOT NULL OR "n" IS NOT NULL OR "s" IS NOT NULL OR "v" IS NOT NULL)) AS r ORDER BY time ASC, "
influxpy_tie" ASC
-- stream: {'descending': False,
 'groups': 0,
 'heap_body': None,
 'series': ('SELECT time, "dc", "host" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("b" IS NOT NULL OR "n" IS NOT NULL OR "s" IS NOT NULL OR "v" IS NOT NULL)',
            'concat_ws(\',\', CASE WHEN "dc" <> \'\' THEN \'dc=\' || "dc" END, CASE WHEN "host" <> \'\' THEN \'host=\' || "host" END)',
            ('"dc"', '"host"')),
 'table': '"influxpy"."autogen.metrics"',
 'whole_series': False,
 'width': 13}
-- stream finish: Finish(outputs='time, CASE WHEN typeof("\ncol_0") = \'DOUBLE\' AND isnan(TRY_CAST("\ncol_0" AS DOUBLE)) THEN NULL ELSE "\ncol_0" END AS "\ncol_0", CASE WHEN typeof("\ncol_1") = \'DOUBLE\' AND isnan(TRY_CAST("\ncol_1" AS DOUBLE)) THEN NULL ELSE "\ncol_1" END AS "\ncol_1", CASE WHEN typeof("\ncol_2") = \'DOUBLE\' AND isnan(TRY_CAST("\ncol_2" AS DOUBLE)) THEN NULL ELSE "\ncol_2" END AS "\ncol_2", CASE WHEN typeof("\ncol_3") = \'DOUBLE\' AND isnan(TRY_CAST("\ncol_3" AS DOUBLE)) THEN NULL ELSE "\ncol_3" END AS "\ncol_3", CASE WHEN typeof("\ncol_4") = \'DOUBLE\' AND isnan(TRY_CAST("\ncol_4" AS DOUBLE)) THEN NULL ELSE "\ncol_4" END AS "\ncol_4", "\ninfluxpy_tie"', where='', qualify='', terms='time ASC, "\ninfluxpy_tie" ASC')
-- stream body:
SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" AS "
col_0", "n" AS "
col_1", "s" AS "
col_2", "b" AS "
col_3", NULLIF("host", '') AS "
col_4" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("b" IS NOT NULL OR "n" IS NOT NULL OR "s" IS NOT NULL OR "v" IS NOT NULL)
-- stream count:
SELECT count(*) FROM "influxpy"."autogen.metrics"
-- stream slices: {}
SELECT n, lo, hi, n * 2 > 1000 FROM (SELECT count(*) AS n, min(time) AS lo, max(time) AS hi FROM (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" AS "
col_0", "n" AS "
col_1", "s" AS "
col_2", "b" AS "
col_3", NULLIF("host", '') AS "
col_4" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("b" IS NOT NULL OR "n" IS NOT NULL OR "s" IS NOT NULL OR "v" IS NOT NULL)) AS r) WHERE n > 0
-- stream histogram: {}
SELECT CAST((CAST(time AS HUGEINT) - 0) // 10 AS BIGINT) AS bucket, count(*), min(time), max(time) FROM (SELECT * FROM (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" AS "
col_0", "n" AS "
col_1", "s" AS "
col_2", "b" AS "
col_3", NULLIF("host", '') AS "
col_4" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("b" IS NOT NULL OR "n" IS NOT NULL OR "s" IS NOT NULL OR "v" IS NOT NULL)) AS b WHERE TRUE) AS r GROUP BY bucket ORDER BY bucket
-- stream slice of series: {}
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
col_2", CASE WHEN typeof("
col_3") = 'DOUBLE' AND isnan(TRY_CAST("
col_3" AS DOUBLE)) THEN NULL ELSE "
col_3" END AS "
col_3", CASE WHEN typeof("
col_4") = 'DOUBLE' AND isnan(TRY_CAST("
col_4" AS DOUBLE)) THEN NULL ELSE "
col_4" END AS "
col_4", "
influxpy_tie" FROM (SELECT * FROM (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" AS "
col_0", "n" AS "
col_1", "s" AS "
col_2", "b" AS "
col_3", NULLIF("host", '') AS "
col_4" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("b" IS NOT NULL OR "n" IS NOT NULL OR "s" IS NOT NULL OR "v" IS NOT NULL)) AS b WHERE TRUE) AS r ORDER BY time ASC, "
influxpy_tie" ASC
-- stream slice of times: {}
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
col_2", CASE WHEN typeof("
col_3") = 'DOUBLE' AND isnan(TRY_CAST("
col_3" AS DOUBLE)) THEN NULL ELSE "
col_3" END AS "
col_3", CASE WHEN typeof("
col_4") = 'DOUBLE' AND isnan(TRY_CAST("
col_4" AS DOUBLE)) THEN NULL ELSE "
col_4" END AS "
col_4", "
influxpy_tie" FROM (SELECT * FROM (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" AS "
col_0", "n" AS "
col_1", "s" AS "
col_2", "b" AS "
col_3", NULLIF("host", '') AS "
col_4" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("b" IS NOT NULL OR "n" IS NOT NULL OR "s" IS NOT NULL OR "v" IS NOT NULL)) AS b WHERE TRUE AND time >= 5 AND time <= 9) AS r ORDER BY time ASC, "
influxpy_tie" ASC
