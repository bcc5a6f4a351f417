-- case: raw_math_functions
-- influxql: SELECT abs("v") AS "a", round("n") AS "r", sqrt("v") AS "q", pow("v", 2) AS "p" FROM "metrics"
-- writes: False
-- params: {'p0': 2.0}
-- meta: {'action': 'select', 'columns': ['a', 'r', 'q', 'p'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, "
col_0", "
col_1", "
col_2", "
col_3" FROM (SELECT time, concat_ws(',', "dc", "host") AS "
influxpy_tie", abs("v") AS "
col_0", "n" AS "
col_1", influxpy_null_nan(sqrt(CAST("v" AS DOUBLE))) AS "
col_2", influxpy_null_nan(pow(CAST("v" AS DOUBLE), CAST($p0 AS DOUBLE))) AS "
col_3" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("n" IS NOT NULL OR "v" IS NOT NULL)) AS r ORDER BY time ASC, "
influxpy_tie" ASC
-- stream: {'descending': False, 'groups': 0, 'table': '"influxpy"."autogen.metrics"', 'whole_series': False, 'width': 8}
-- stream finish: Finish(outputs='time, "\ncol_0", "\ncol_1", "\ncol_2", "\ncol_3"', where='', qualify='', terms='time ASC, "\ninfluxpy_tie" ASC')
-- stream body:
SELECT time, concat_ws(',', "dc", "host") AS "
influxpy_tie", abs("v") AS "
col_0", "n" AS "
col_1", influxpy_null_nan(sqrt(CAST("v" AS DOUBLE))) AS "
col_2", influxpy_null_nan(pow(CAST("v" AS DOUBLE), CAST($p0 AS DOUBLE))) AS "
col_3" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("n" IS NOT NULL OR "v" IS NOT NULL)
-- stream count:
SELECT count(*) FROM "influxpy"."autogen.metrics"
-- stream slices: {'p0': 2.0}
SELECT n, lo, hi, n * 2 > 1000 FROM (SELECT count(*) AS n, min(time) AS lo, max(time) AS hi FROM (SELECT time, concat_ws(',', "dc", "host") AS "
influxpy_tie", abs("v") AS "
col_0", "n" AS "
col_1", influxpy_null_nan(sqrt(CAST("v" AS DOUBLE))) AS "
col_2", influxpy_null_nan(pow(CAST("v" AS DOUBLE), CAST($p0 AS DOUBLE))) AS "
col_3" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("n" IS NOT NULL OR "v" IS NOT NULL)) AS r) WHERE n > 0
-- stream histogram: {'p0': 2.0}
SELECT CAST((CAST(time AS HUGEINT) - 0) // 10 AS BIGINT) AS bucket, count(*) FROM (SELECT * FROM (SELECT time, concat_ws(',', "dc", "host") AS "
influxpy_tie", abs("v") AS "
col_0", "n" AS "
col_1", influxpy_null_nan(sqrt(CAST("v" AS DOUBLE))) AS "
col_2", influxpy_null_nan(pow(CAST("v" AS DOUBLE), CAST($p0 AS DOUBLE))) AS "
col_3" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("n" IS NOT NULL OR "v" IS NOT NULL)) AS b WHERE TRUE) AS r GROUP BY bucket ORDER BY bucket
-- stream slice of series: {'p0': 2.0}
SELECT time, "
col_0", "
col_1", "
col_2", "
col_3" FROM (SELECT * FROM (SELECT time, concat_ws(',', "dc", "host") AS "
influxpy_tie", abs("v") AS "
col_0", "n" AS "
col_1", influxpy_null_nan(sqrt(CAST("v" AS DOUBLE))) AS "
col_2", influxpy_null_nan(pow(CAST("v" AS DOUBLE), CAST($p0 AS DOUBLE))) AS "
col_3" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("n" IS NOT NULL OR "v" IS NOT NULL)) AS b WHERE TRUE) AS r ORDER BY time ASC, "
influxpy_tie" ASC
-- stream slice of times: {'p0': 2.0}
SELECT time, "
col_0", "
col_1", "
col_2", "
col_3" FROM (SELECT * FROM (SELECT time, concat_ws(',', "dc", "host") AS "
influxpy_tie", abs("v") AS "
col_0", "n" AS "
col_1", influxpy_null_nan(sqrt(CAST("v" AS DOUBLE))) AS "
col_2", influxpy_null_nan(pow(CAST("v" AS DOUBLE), CAST($p0 AS DOUBLE))) AS "
col_3" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("n" IS NOT NULL OR "v" IS NOT NULL)) AS b WHERE TRUE AND time >= 5 AND time <= 9) AS r ORDER BY time ASC, "
influxpy_tie" ASC
