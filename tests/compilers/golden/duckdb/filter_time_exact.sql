-- case: filter_time_exact
-- influxql: SELECT "v" FROM "metrics" WHERE time = '2020-01-01T00:00:00Z'
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['v'], 'group_keys': [], 'heap': HeapOrder(database=None, retention_policy=None, limit=None, offset=None, texts=0), 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0", "
influxpy_tie" FROM (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" AS "
col_0" FROM "influxpy"."autogen.metrics" WHERE (TRUE) AND time >= 1577836800000000000 AND time <= 1577836800000000000 AND ("v" IS NOT NULL)) AS r ORDER BY time ASC, "
influxpy_tie" ASC
-- stream: {'descending': False,
 'groups': 0,
 'heap_body': None,
 'series': ('SELECT time, "dc", "host" FROM "influxpy"."autogen.metrics" WHERE (TRUE) AND time >= 1577836800000000000 AND time <= 1577836800000000000 AND ("v" IS NOT NULL)',
            'concat_ws(\',\', CASE WHEN "dc" <> \'\' THEN \'dc=\' || "dc" END, CASE WHEN "host" <> \'\' THEN \'host=\' || "host" END)',
            ('"dc"', '"host"')),
 'table': '"influxpy"."autogen.metrics"',
 'whole_series': False,
 'width': 5}
-- stream finish: Finish(outputs='time, CASE WHEN typeof("\ncol_0") = \'DOUBLE\' AND isnan(TRY_CAST("\ncol_0" AS DOUBLE)) THEN NULL ELSE "\ncol_0" END AS "\ncol_0", "\ninfluxpy_tie"', where='', qualify='', terms='time ASC, "\ninfluxpy_tie" ASC')
-- stream body:
SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" AS "
col_0" FROM "influxpy"."autogen.metrics" WHERE (TRUE) AND time >= 1577836800000000000 AND time <= 1577836800000000000 AND ("v" IS NOT NULL)
-- stream count:
SELECT count(*) FROM "influxpy"."autogen.metrics"
-- stream slices: {}
SELECT n, lo, hi, n * 2 > 1000 FROM (SELECT count(*) AS n, min(time) AS lo, max(time) AS hi FROM (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" AS "
col_0" FROM "influxpy"."autogen.metrics" WHERE (TRUE) AND time >= 1577836800000000000 AND time <= 1577836800000000000 AND ("v" IS NOT NULL)) AS r) WHERE n > 0
-- stream histogram: {}
SELECT CAST((CAST(time AS HUGEINT) - 0) // 10 AS BIGINT) AS bucket, count(*), min(time), max(time) FROM (SELECT * FROM (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" AS "
col_0" FROM "influxpy"."autogen.metrics" WHERE (TRUE) AND time >= 1577836800000000000 AND time <= 1577836800000000000 AND ("v" IS NOT NULL)) AS b WHERE TRUE) AS r GROUP BY bucket ORDER BY bucket
-- stream slice of series: {}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0", "
influxpy_tie" FROM (SELECT * FROM (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" AS "
col_0" FROM "influxpy"."autogen.metrics" WHERE (TRUE) AND time >= 1577836800000000000 AND time <= 1577836800000000000 AND ("v" IS NOT NULL)) AS b WHERE TRUE) AS r ORDER BY time ASC, "
influxpy_tie" ASC
-- stream slice of times: {}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0", "
influxpy_tie" FROM (SELECT * FROM (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" AS "
col_0" FROM "influxpy"."autogen.metrics" WHERE (TRUE) AND time >= 1577836800000000000 AND time <= 1577836800000000000 AND ("v" IS NOT NULL)) AS b WHERE TRUE AND time >= 5 AND time <= 9) AS r ORDER BY time ASC, "
influxpy_tie" ASC
