-- case: subquery_raw
-- influxql: SELECT "v" FROM (SELECT "v", "n" FROM "metrics")
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['v'], 'group_keys': [], 'heap': None, 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (SELECT time, 0 AS "
influxpy_tie", "v" AS "
col_0", "
influxpy_w", "
influxpy_o" FROM (SELECT time, "
col_0" AS "v", "
col_1" AS "n", "
influxpy_w", "
influxpy_o" FROM (SELECT time, "
col_0", "
col_1", row_number() OVER (ORDER BY time ASC, "
influxpy_tie" ASC) AS "
influxpy_o", 0 AS "
influxpy_w" FROM (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" AS "
col_0", "n" AS "
col_1" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("n" IS NOT NULL OR "v" IS NOT NULL)) AS r ORDER BY time ASC, "
influxpy_tie" ASC)) WHERE TRUE AND TRUE AND (TRUE)) AS r ORDER BY "
influxpy_o" ASC
