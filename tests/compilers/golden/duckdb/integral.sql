-- case: integral
-- influxql: SELECT integral("v") FROM "metrics"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['integral'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (WITH base AS (SELECT time, "v" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE), call_0_rows AS (SELECT 0 AS time, influxpy_integral(list(struct_pack(t := time, v := "v") ORDER BY time)) / 1000000000 AS v FROM base WHERE "v" IS NOT NULL AND TRUE GROUP BY ALL HAVING count("v") > 0 AND max(time) != 0), merged AS (SELECT time, v AS "
call_0" FROM call_0_rows), cells AS (SELECT time, "
call_0" AS "
call_0" FROM merged) SELECT time, "
call_0" AS "
col_0" FROM cells) AS r ORDER BY time ASC
