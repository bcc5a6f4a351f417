-- case: elapsed_desc
-- influxql: SELECT elapsed("v", 1s) FROM "metrics" ORDER BY time DESC
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['elapsed'], 'group_keys': [], 'heap': None, 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (WITH base AS NOT MATERIALIZED (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE), call_0_rows AS (SELECT time, v FROM (SELECT time, (time - pt) // 1000000000 AS v, pt IS NOT NULL AS keep FROM (SELECT *, lag(x) OVER (ORDER BY time DESC, x) AS px, lag(time) OVER (ORDER BY time DESC, x) AS pt, row_number() OVER (ORDER BY time DESC, x) AS rn FROM (SELECT time, v AS x FROM (SELECT time, "v" AS v FROM base WHERE "v" IS NOT NULL AND TRUE)))) WHERE keep), merged AS (SELECT time, v AS "
call_0" FROM call_0_rows), cells AS (SELECT time, "
call_0" AS "
call_0" FROM merged) SELECT time, "
call_0" AS "
col_0" FROM cells) AS r ORDER BY time DESC
