-- case: subquery_paged
-- influxql: SELECT sum("v") FROM (SELECT "v" FROM "metrics" LIMIT 2)
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['sum'], 'group_keys': [], 'heap': None, 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (WITH base AS (SELECT time, "v" FROM (SELECT time, "
col_0" AS "v", "
influxpy_w", "
influxpy_o" FROM (SELECT time, "
col_0", row_number() OVER (ORDER BY time ASC, "
influxpy_tie" ASC) AS "
influxpy_o", 0 AS "
influxpy_w" FROM (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" AS "
col_0" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)) AS r QUALIFY row_number() OVER (ORDER BY time ASC, "
influxpy_tie" ASC) >= 1 AND row_number() OVER (ORDER BY time ASC, "
influxpy_tie" ASC) < 3 ORDER BY time ASC, "
influxpy_tie" ASC)) WHERE TRUE AND TRUE), call_0_rows AS (SELECT 0 AS time, list_reduce(list(CAST("v" AS DOUBLE) ORDER BY time ASC), lambda influxpy_a, influxpy_b: influxpy_a + influxpy_b, 0.0) AS v FROM base WHERE "v" IS NOT NULL AND TRUE GROUP BY ALL HAVING count("v") > 0), merged AS (SELECT time, v AS "
call_0" FROM call_0_rows), cells AS (SELECT time, "
call_0" AS "
call_0" FROM merged) SELECT time, "
call_0" AS "
col_0" FROM cells) AS r ORDER BY time ASC
