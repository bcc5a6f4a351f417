-- case: derivative_raw
-- influxql: SELECT derivative("v", 1s) FROM "metrics"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['derivative'], 'group_keys': [], 'heap': None, 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (WITH base AS NOT MATERIALIZED (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE), call_0_rows AS (SELECT time, v FROM (SELECT time, CAST(x - px AS DOUBLE) / (CAST(time - pt AS DOUBLE) / CAST(1000000000 AS DOUBLE)) AS v, px IS NOT NULL AS keep FROM (SELECT *, lag(x) OVER (ORDER BY time ASC, x) AS px, lag(time) OVER (ORDER BY time ASC, x) AS pt, row_number() OVER (ORDER BY time ASC, x) AS rn FROM (SELECT time, v AS x FROM (SELECT time, "v" AS v FROM base WHERE "v" IS NOT NULL AND TRUE) QUALIFY row_number() OVER (PARTITION BY time ORDER BY x) = 1))) WHERE keep), merged AS (SELECT time, v AS "
call_0" FROM call_0_rows), cells AS (SELECT time, "
call_0" AS "
call_0" FROM merged) SELECT time, "
call_0" AS "
col_0" FROM cells) AS r ORDER BY time ASC
