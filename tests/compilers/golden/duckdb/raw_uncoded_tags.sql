-- case: raw_uncoded_tags
-- influxql: SELECT "cpu", "name" FROM "servers"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['cpu', 'name'], 'group_keys': [], 'heap': HeapOrder(database=None, retention_policy=None, limit=None, offset=None, texts=0), 'measurement': 'servers'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0", CASE WHEN typeof("
col_1") = 'DOUBLE' AND isnan(TRY_CAST("
col_1" AS DOUBLE)) THEN NULL ELSE "
col_1" END AS "
col_1", "
influxpy_tie" FROM (SELECT time, concat_ws(',', CASE WHEN "name" <> '' THEN 'name=' || "name" END, CASE WHEN "optional_tag" <> '' THEN 'optional_tag=' || "optional_tag" END, CASE WHEN "region" <> '' THEN 'region=' || "region" END) AS "
influxpy_tie", "cpu" AS "
col_0", NULLIF("name", '') AS "
col_1" FROM "influxpy"."autogen.servers" WHERE TRUE AND TRUE AND ("cpu" IS NOT NULL)) AS r ORDER BY time ASC, "
influxpy_tie" ASC
-- stream: {'descending': False,
 'groups': 0,
 'heap_body': None,
 'series': ('SELECT time, "name", "optional_tag", "region" FROM "influxpy"."autogen.servers" WHERE TRUE AND TRUE AND ("cpu" IS NOT NULL)',
            'concat_ws(\',\', CASE WHEN "name" <> \'\' THEN \'name=\' || "name" END, CASE WHEN "optional_tag" <> \'\' THEN \'optional_tag=\' || "optional_tag" END, CASE WHEN "region" <> \'\' THEN '
            '\'region=\' || "region" END)',
            ('"name"', '"optional_tag"', '"region"')),
 'table': '"influxpy"."autogen.servers"',
 'whole_series': False,
 'width': 8}
-- stream finish: Finish(outputs='time, CASE WHEN typeof("\ncol_0") = \'DOUBLE\' AND isnan(TRY_CAST("\ncol_0" AS DOUBLE)) THEN NULL ELSE "\ncol_0" END AS "\ncol_0", CASE WHEN typeof("\ncol_1") = \'DOUBLE\' AND isnan(TRY_CAST("\ncol_1" AS DOUBLE)) THEN NULL ELSE "\ncol_1" END AS "\ncol_1", "\ninfluxpy_tie"', where='', qualify='', terms='time ASC, "\ninfluxpy_tie" ASC')
-- stream body:
SELECT time, concat_ws(',', CASE WHEN "name" <> '' THEN 'name=' || "name" END, CASE WHEN "optional_tag" <> '' THEN 'optional_tag=' || "optional_tag" END, CASE WHEN "region" <> '' THEN 'region=' || "region" END) AS "
influxpy_tie", "cpu" AS "
col_0", NULLIF("name", '') AS "
col_1" FROM "influxpy"."autogen.servers" WHERE TRUE AND TRUE AND ("cpu" IS NOT NULL)
-- stream count:
SELECT count(*) FROM "influxpy"."autogen.servers"
-- stream slices: {}
SELECT n, lo, hi, n * 2 > 1000 FROM (SELECT count(*) AS n, min(time) AS lo, max(time) AS hi FROM (SELECT time, concat_ws(',', CASE WHEN "name" <> '' THEN 'name=' || "name" END, CASE WHEN "optional_tag" <> '' THEN 'optional_tag=' || "optional_tag" END, CASE WHEN "region" <> '' THEN 'region=' || "region" END) AS "
influxpy_tie", "cpu" AS "
col_0", NULLIF("name", '') AS "
col_1" FROM "influxpy"."autogen.servers" WHERE TRUE AND TRUE AND ("cpu" IS NOT NULL)) AS r) WHERE n > 0
-- stream histogram: {}
SELECT CAST((CAST(time AS HUGEINT) - 0) // 10 AS BIGINT) AS bucket, count(*), min(time), max(time) FROM (SELECT * FROM (SELECT time, concat_ws(',', CASE WHEN "name" <> '' THEN 'name=' || "name" END, CASE WHEN "optional_tag" <> '' THEN 'optional_tag=' || "optional_tag" END, CASE WHEN "region" <> '' THEN 'region=' || "region" END) AS "
influxpy_tie", "cpu" AS "
col_0", NULLIF("name", '') AS "
col_1" FROM "influxpy"."autogen.servers" WHERE TRUE AND TRUE AND ("cpu" IS NOT NULL)) AS b WHERE TRUE) AS r GROUP BY bucket ORDER BY bucket
-- stream slice of series: {}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0", CASE WHEN typeof("
col_1") = 'DOUBLE' AND isnan(TRY_CAST("
col_1" AS DOUBLE)) THEN NULL ELSE "
col_1" END AS "
col_1", "
influxpy_tie" FROM (SELECT * FROM (SELECT time, concat_ws(',', CASE WHEN "name" <> '' THEN 'name=' || "name" END, CASE WHEN "optional_tag" <> '' THEN 'optional_tag=' || "optional_tag" END, CASE WHEN "region" <> '' THEN 'region=' || "region" END) AS "
influxpy_tie", "cpu" AS "
col_0", NULLIF("name", '') AS "
col_1" FROM "influxpy"."autogen.servers" WHERE TRUE AND TRUE AND ("cpu" IS NOT NULL)) AS b WHERE TRUE) AS r ORDER BY time ASC, "
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
col_1", "
influxpy_tie" FROM (SELECT * FROM (SELECT time, concat_ws(',', CASE WHEN "name" <> '' THEN 'name=' || "name" END, CASE WHEN "optional_tag" <> '' THEN 'optional_tag=' || "optional_tag" END, CASE WHEN "region" <> '' THEN 'region=' || "region" END) AS "
influxpy_tie", "cpu" AS "
col_0", NULLIF("name", '') AS "
col_1" FROM "influxpy"."autogen.servers" WHERE TRUE AND TRUE AND ("cpu" IS NOT NULL)) AS b WHERE TRUE AND time >= 5 AND time <= 9) AS r ORDER BY time ASC, "
influxpy_tie" ASC
