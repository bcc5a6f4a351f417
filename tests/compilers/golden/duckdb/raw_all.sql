-- case: raw_all
-- influxql: SELECT * FROM "metrics"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['b', 'dc', 'host', 'n', 's', 'v'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, "
col_0", "
col_1", "
col_2", "
col_3", "
col_4", "
col_5" FROM (SELECT time, concat_ws(',', "dc", "host") AS "
influxpy_tie", "b" AS "
col_0", NULLIF("dc", '') AS "
col_1", NULLIF("host", '') AS "
col_2", "n" AS "
col_3", "s" AS "
col_4", "v" AS "
col_5" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("b" IS NOT NULL OR "n" IS NOT NULL OR "s" IS NOT NULL OR "v" IS NOT NULL)) AS r ORDER BY time ASC, "
influxpy_tie" ASC
-- stream: {'descending': False, 'groups': 0, 'table': '"influxpy"."autogen.metrics"', 'whole_series': False, 'width': 16}
-- stream finish: Finish(outputs='time, "\ncol_0", "\ncol_1", "\ncol_2", "\ncol_3", "\ncol_4", "\ncol_5"', where='', qualify='', terms='time ASC, "\ninfluxpy_tie" ASC')
-- stream body:
SELECT time, concat_ws(',', "dc", "host") AS "
influxpy_tie", "b" AS "
col_0", NULLIF("dc", '') AS "
col_1", NULLIF("host", '') AS "
col_2", "n" AS "
col_3", "s" AS "
col_4", "v" AS "
col_5" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("b" IS NOT NULL OR "n" IS NOT NULL OR "s" IS NOT NULL OR "v" IS NOT NULL)
-- stream count:
SELECT count(*) FROM "influxpy"."autogen.metrics"
-- stream slices: {}
SELECT n, lo, hi, n * 2 > 1000 FROM (SELECT count(*) AS n, min(time) AS lo, max(time) AS hi FROM (SELECT time, concat_ws(',', "dc", "host") AS "
influxpy_tie", "b" AS "
col_0", NULLIF("dc", '') AS "
col_1", NULLIF("host", '') AS "
col_2", "n" AS "
col_3", "s" AS "
col_4", "v" AS "
col_5" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("b" IS NOT NULL OR "n" IS NOT NULL OR "s" IS NOT NULL OR "v" IS NOT NULL)) AS r) WHERE n > 0
-- stream histogram: {}
SELECT CAST((CAST(time AS HUGEINT) - 0) // 10 AS BIGINT) AS bucket, count(*) FROM (SELECT * FROM (SELECT time, concat_ws(',', "dc", "host") AS "
influxpy_tie", "b" AS "
col_0", NULLIF("dc", '') AS "
col_1", NULLIF("host", '') AS "
col_2", "n" AS "
col_3", "s" AS "
col_4", "v" AS "
col_5" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("b" IS NOT NULL OR "n" IS NOT NULL OR "s" IS NOT NULL OR "v" IS NOT NULL)) AS b WHERE TRUE) AS r GROUP BY bucket ORDER BY bucket
-- stream slice of series: {}
SELECT time, "
col_0", "
col_1", "
col_2", "
col_3", "
col_4", "
col_5" FROM (SELECT * FROM (SELECT time, concat_ws(',', "dc", "host") AS "
influxpy_tie", "b" AS "
col_0", NULLIF("dc", '') AS "
col_1", NULLIF("host", '') AS "
col_2", "n" AS "
col_3", "s" AS "
col_4", "v" AS "
col_5" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("b" IS NOT NULL OR "n" IS NOT NULL OR "s" IS NOT NULL OR "v" IS NOT NULL)) AS b WHERE TRUE) AS r ORDER BY time ASC, "
influxpy_tie" ASC
-- stream slice of times: {}
SELECT time, "
col_0", "
col_1", "
col_2", "
col_3", "
col_4", "
col_5" FROM (SELECT * FROM (SELECT time, concat_ws(',', "dc", "host") AS "
influxpy_tie", "b" AS "
col_0", NULLIF("dc", '') AS "
col_1", NULLIF("host", '') AS "
col_2", "n" AS "
col_3", "s" AS "
col_4", "v" AS "
col_5" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("b" IS NOT NULL OR "n" IS NOT NULL OR "s" IS NOT NULL OR "v" IS NOT NULL)) AS b WHERE TRUE AND time >= 5 AND time <= 9) AS r ORDER BY time ASC, "
influxpy_tie" ASC
