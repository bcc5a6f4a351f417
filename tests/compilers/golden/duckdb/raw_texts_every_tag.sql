-- case: raw_texts_every_tag
-- influxql: SELECT "dc", "host", "v" FROM "metrics" LIMIT 3
-- writes: False
-- params: {}
-- meta: {'action': 'select',
 'columns': ['dc', 'host', 'v'],
 'group_keys': [],
 'heap': HeapOrder(database=None, retention_policy=None, limit=3, offset=None, texts=2),
 'heap_lacking': 'SELECT EXISTS (SELECT 1 FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL) AND ("dc" = \'\' OR "dc" IS NULL)) OR EXISTS (SELECT 1 FROM '
                 '"influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL) AND ("host" = \'\' OR "host" IS NULL))',
 'heap_unreplayed': 'SELECT time, CASE WHEN typeof("\n'
                    'col_0") = \'DOUBLE\' AND isnan(TRY_CAST("\n'
                    'col_0" AS DOUBLE)) THEN NULL ELSE "\n'
                    'col_0" END AS "\n'
                    'col_0", CASE WHEN typeof("\n'
                    'col_1") = \'DOUBLE\' AND isnan(TRY_CAST("\n'
                    'col_1" AS DOUBLE)) THEN NULL ELSE "\n'
                    'col_1" END AS "\n'
                    'col_1", CASE WHEN typeof("\n'
                    'col_2") = \'DOUBLE\' AND isnan(TRY_CAST("\n'
                    'col_2" AS DOUBLE)) THEN NULL ELSE "\n'
                    'col_2" END AS "\n'
                    'col_2" FROM (SELECT time, [NULLIF("dc", \'\'), NULLIF("host", \'\'), concat_ws(\',\', CASE WHEN "dc" <> \'\' THEN \'dc=\' || "dc" END, CASE WHEN "host" <> \'\' THEN \'host=\' || '
                    '"host" END)] AS "\n'
                    'influxpy_tie", NULLIF("dc", \'\') AS "\n'
                    'col_0", NULLIF("host", \'\') AS "\n'
                    'col_1", "v" AS "\n'
                    'col_2" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL) AND time <= (SELECT max(t) FROM (SELECT list_last(min(time, 3)) AS t FROM '
                    '"influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)))) AS r QUALIFY row_number() OVER (ORDER BY time ASC, "\n'
                    'influxpy_tie" ASC) >= 1 AND row_number() OVER (ORDER BY time ASC, "\n'
                    'influxpy_tie" ASC) < 4 ORDER BY time ASC, "\n'
                    'influxpy_tie" ASC',
 'measurement': 'metrics'}
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
influxpy_tie"[2] AS "
influxpy_tie1", "
influxpy_tie"[-1] AS "
influxpy_tie_key" FROM (SELECT time, [NULLIF("dc", ''), NULLIF("host", ''), concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END)] AS "
influxpy_tie", NULLIF("dc", '') AS "
col_0", NULLIF("host", '') AS "
col_1", "v" AS "
col_2" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL) AND time <= (SELECT max(t) FROM (SELECT list_last(min(time, 3)) AS t FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)))) AS r ORDER BY time ASC, "
influxpy_tie" ASC
-- stream: {'descending': False,
 'groups': 0,
 'heap_body': 'SELECT time, [NULLIF("dc", \'\'), NULLIF("host", \'\'), concat_ws(\',\', CASE WHEN "dc" <> \'\' THEN \'dc=\' || "dc" END, CASE WHEN "host" <> \'\' THEN \'host=\' || "host" END)] AS "\n'
              'influxpy_tie", NULLIF("dc", \'\') AS "\n'
              'col_0", NULLIF("host", \'\') AS "\n'
              'col_1", "v" AS "\n'
              'col_2" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)',
 'series': None,
 'table': '"influxpy"."autogen.metrics"',
 'whole_series': False,
 'width': 11}
-- stream finish: Finish(outputs='time, CASE WHEN typeof("\ncol_0") = \'DOUBLE\' AND isnan(TRY_CAST("\ncol_0" AS DOUBLE)) THEN NULL ELSE "\ncol_0" END AS "\ncol_0", CASE WHEN typeof("\ncol_1") = \'DOUBLE\' AND isnan(TRY_CAST("\ncol_1" AS DOUBLE)) THEN NULL ELSE "\ncol_1" END AS "\ncol_1", CASE WHEN typeof("\ncol_2") = \'DOUBLE\' AND isnan(TRY_CAST("\ncol_2" AS DOUBLE)) THEN NULL ELSE "\ncol_2" END AS "\ncol_2", "\ninfluxpy_tie"[1] AS "\ninfluxpy_tie0", "\ninfluxpy_tie"[2] AS "\ninfluxpy_tie1", "\ninfluxpy_tie"[-1] AS "\ninfluxpy_tie_key"', where='', qualify='', terms='time ASC, "\ninfluxpy_tie" ASC')
-- stream body:
SELECT time, [NULLIF("dc", ''), NULLIF("host", ''), concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END)] AS "
influxpy_tie", NULLIF("dc", '') AS "
col_0", NULLIF("host", '') AS "
col_1", "v" AS "
col_2" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL) AND time <= (SELECT max(t) FROM (SELECT list_last(min(time, 3)) AS t FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)))
-- stream count:
SELECT count(*) FROM "influxpy"."autogen.metrics"
-- stream slices: {}
SELECT n, lo, hi, n * 2 > 1000 FROM (SELECT count(*) AS n, min(time) AS lo, max(time) AS hi FROM (SELECT time, [NULLIF("dc", ''), NULLIF("host", ''), concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END)] AS "
influxpy_tie", NULLIF("dc", '') AS "
col_0", NULLIF("host", '') AS "
col_1", "v" AS "
col_2" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL) AND time <= (SELECT max(t) FROM (SELECT list_last(min(time, 3)) AS t FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)))) AS r) WHERE n > 0
-- stream histogram: {}
SELECT CAST((CAST(time AS HUGEINT) - 0) // 10 AS BIGINT) AS bucket, count(*), min(time), max(time) FROM (SELECT * FROM (SELECT time, [NULLIF("dc", ''), NULLIF("host", ''), concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END)] AS "
influxpy_tie", NULLIF("dc", '') AS "
col_0", NULLIF("host", '') AS "
col_1", "v" AS "
col_2" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL) AND time <= (SELECT max(t) FROM (SELECT list_last(min(time, 3)) AS t FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)))) AS b WHERE TRUE) AS r GROUP BY bucket ORDER BY bucket
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
influxpy_tie"[2] AS "
influxpy_tie1", "
influxpy_tie"[-1] AS "
influxpy_tie_key" FROM (SELECT * FROM (SELECT time, [NULLIF("dc", ''), NULLIF("host", ''), concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END)] AS "
influxpy_tie", NULLIF("dc", '') AS "
col_0", NULLIF("host", '') AS "
col_1", "v" AS "
col_2" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL) AND time <= (SELECT max(t) FROM (SELECT list_last(min(time, 3)) AS t FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)))) AS b WHERE TRUE) AS r ORDER BY time ASC, "
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
influxpy_tie"[2] AS "
influxpy_tie1", "
influxpy_tie"[-1] AS "
influxpy_tie_key" FROM (SELECT * FROM (SELECT time, [NULLIF("dc", ''), NULLIF("host", ''), concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END)] AS "
influxpy_tie", NULLIF("dc", '') AS "
col_0", NULLIF("host", '') AS "
col_1", "v" AS "
col_2" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL) AND time <= (SELECT max(t) FROM (SELECT list_last(min(time, 3)) AS t FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)))) AS b WHERE TRUE AND time >= 5 AND time <= 9) AS r ORDER BY time ASC, "
influxpy_tie" ASC
