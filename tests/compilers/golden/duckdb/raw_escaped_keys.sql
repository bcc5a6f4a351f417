-- case: raw_escaped_keys
-- influxql: SELECT "odd \"key\" \\here" AS "odd", "data center's \"zone\"" AS "odd_tag", "value" FROM "readings"
-- writes: False
-- params: {}
-- meta: {'action': 'select',
 'columns': ['odd', 'odd_tag', 'value'],
 'group_keys': [],
 'heap': HeapOrder(database=None, retention_policy=None, limit=None, offset=None, listed=True, texts=1),
 'measurement': 'readings'}
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
influxpy_tie"[1] AS "
influxpy_tie0", "
influxpy_tie"[-1] AS "
influxpy_tie_key" FROM (SELECT time, [NULLIF("data center's ""zone""", ''), concat_ws(',', CASE WHEN "data center's ""zone""" <> '' THEN 'data\ center''s\ "zone"=' || "data center's ""zone""" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END, CASE WHEN "rack" <> '' THEN 'rack=' || "rack" END)] AS "
influxpy_tie", "odd ""key"" \here" AS "
col_0", NULLIF("data center's ""zone""", '') AS "
col_1", "value" AS "
col_2" FROM "influxpy"."autogen.readings" WHERE TRUE AND TRUE AND ("odd ""key"" \here" IS NOT NULL OR "value" IS NOT NULL)) AS r ORDER BY time ASC, "
influxpy_tie" ASC
-- stream: {'descending': False, 'groups': 0, 'series': None, 'table': '"influxpy"."autogen.readings"', 'whole_series': False, 'width': 9}
-- stream finish: Finish(outputs='time, CASE WHEN typeof("\ncol_0") = \'DOUBLE\' AND isnan(TRY_CAST("\ncol_0" AS DOUBLE)) THEN NULL ELSE "\ncol_0" END AS "\ncol_0", CASE WHEN typeof("\ncol_1") = \'DOUBLE\' AND isnan(TRY_CAST("\ncol_1" AS DOUBLE)) THEN NULL ELSE "\ncol_1" END AS "\ncol_1", CASE WHEN typeof("\ncol_2") = \'DOUBLE\' AND isnan(TRY_CAST("\ncol_2" AS DOUBLE)) THEN NULL ELSE "\ncol_2" END AS "\ncol_2", "\ninfluxpy_tie"[1] AS "\ninfluxpy_tie0", "\ninfluxpy_tie"[-1] AS "\ninfluxpy_tie_key"', where='', qualify='', terms='time ASC, "\ninfluxpy_tie" ASC')
-- stream body:
SELECT time, [NULLIF("data center's ""zone""", ''), concat_ws(',', CASE WHEN "data center's ""zone""" <> '' THEN 'data\ center''s\ "zone"=' || "data center's ""zone""" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END, CASE WHEN "rack" <> '' THEN 'rack=' || "rack" END)] AS "
influxpy_tie", "odd ""key"" \here" AS "
col_0", NULLIF("data center's ""zone""", '') AS "
col_1", "value" AS "
col_2" FROM "influxpy"."autogen.readings" WHERE TRUE AND TRUE AND ("odd ""key"" \here" IS NOT NULL OR "value" IS NOT NULL)
-- stream count:
SELECT count(*) FROM "influxpy"."autogen.readings"
-- stream slices: {}
SELECT n, lo, hi, n * 2 > 1000 FROM (SELECT count(*) AS n, min(time) AS lo, max(time) AS hi FROM (SELECT time, [NULLIF("data center's ""zone""", ''), concat_ws(',', CASE WHEN "data center's ""zone""" <> '' THEN 'data\ center''s\ "zone"=' || "data center's ""zone""" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END, CASE WHEN "rack" <> '' THEN 'rack=' || "rack" END)] AS "
influxpy_tie", "odd ""key"" \here" AS "
col_0", NULLIF("data center's ""zone""", '') AS "
col_1", "value" AS "
col_2" FROM "influxpy"."autogen.readings" WHERE TRUE AND TRUE AND ("odd ""key"" \here" IS NOT NULL OR "value" IS NOT NULL)) AS r) WHERE n > 0
-- stream histogram: {}
SELECT CAST((CAST(time AS HUGEINT) - 0) // 10 AS BIGINT) AS bucket, count(*), min(time), max(time) FROM (SELECT * FROM (SELECT time, [NULLIF("data center's ""zone""", ''), concat_ws(',', CASE WHEN "data center's ""zone""" <> '' THEN 'data\ center''s\ "zone"=' || "data center's ""zone""" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END, CASE WHEN "rack" <> '' THEN 'rack=' || "rack" END)] AS "
influxpy_tie", "odd ""key"" \here" AS "
col_0", NULLIF("data center's ""zone""", '') AS "
col_1", "value" AS "
col_2" FROM "influxpy"."autogen.readings" WHERE TRUE AND TRUE AND ("odd ""key"" \here" IS NOT NULL OR "value" IS NOT NULL)) AS b WHERE TRUE) AS r GROUP BY bucket ORDER BY bucket
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
col_2", "
influxpy_tie"[1] AS "
influxpy_tie0", "
influxpy_tie"[-1] AS "
influxpy_tie_key" FROM (SELECT * FROM (SELECT time, [NULLIF("data center's ""zone""", ''), concat_ws(',', CASE WHEN "data center's ""zone""" <> '' THEN 'data\ center''s\ "zone"=' || "data center's ""zone""" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END, CASE WHEN "rack" <> '' THEN 'rack=' || "rack" END)] AS "
influxpy_tie", "odd ""key"" \here" AS "
col_0", NULLIF("data center's ""zone""", '') AS "
col_1", "value" AS "
col_2" FROM "influxpy"."autogen.readings" WHERE TRUE AND TRUE AND ("odd ""key"" \here" IS NOT NULL OR "value" IS NOT NULL)) AS b WHERE TRUE) AS r ORDER BY time ASC, "
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
col_2", "
influxpy_tie"[1] AS "
influxpy_tie0", "
influxpy_tie"[-1] AS "
influxpy_tie_key" FROM (SELECT * FROM (SELECT time, [NULLIF("data center's ""zone""", ''), concat_ws(',', CASE WHEN "data center's ""zone""" <> '' THEN 'data\ center''s\ "zone"=' || "data center's ""zone""" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END, CASE WHEN "rack" <> '' THEN 'rack=' || "rack" END)] AS "
influxpy_tie", "odd ""key"" \here" AS "
col_0", NULLIF("data center's ""zone""", '') AS "
col_1", "value" AS "
col_2" FROM "influxpy"."autogen.readings" WHERE TRUE AND TRUE AND ("odd ""key"" \here" IS NOT NULL OR "value" IS NOT NULL)) AS b WHERE TRUE AND time >= 5 AND time <= 9) AS r ORDER BY time ASC, "
influxpy_tie" ASC
