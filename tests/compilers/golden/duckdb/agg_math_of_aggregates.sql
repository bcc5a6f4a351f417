-- case: agg_math_of_aggregates
-- influxql: SELECT (mean("v") * 2) + max("n") AS "x" FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z'
-- writes: False
-- params: {'p0': 2}
-- meta: {'action': 'select', 'columns': ['x'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (WITH base AS (SELECT time, "n", "v" FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1577923199999999999), call_0_rows AS (SELECT 1577836800000000000 AS time, avg(CAST("v" AS DOUBLE)) AS v FROM base WHERE "v" IS NOT NULL AND time >= 1577836800000000000 AND time <= 1577923199999999999 GROUP BY ALL HAVING count("v") > 0), call_1_rows AS (SELECT 1577836800000000000 AS time, max("n") AS v FROM base WHERE "n" IS NOT NULL AND time >= 1577836800000000000 AND time <= 1577923199999999999 GROUP BY ALL HAVING count("n") > 0), merged AS (SELECT time, "
call_0", "
call_1" FROM (SELECT time FROM call_0_rows UNION SELECT time FROM call_1_rows) AS keys LEFT JOIN (SELECT time, v AS "
call_0" FROM call_0_rows) AS call_0_join USING (time) LEFT JOIN (SELECT time, v AS "
call_1" FROM call_1_rows) AS call_1_join USING (time)), cells AS (SELECT time, "
call_0" AS "
call_0", "
call_1" AS "
call_1" FROM merged) SELECT time, (CAST((CAST("
call_0" AS DOUBLE) * CAST(CAST($p0 AS BIGINT) AS DOUBLE)) AS DOUBLE) + CAST("
call_1" AS DOUBLE)) AS "
col_0" FROM cells) AS r ORDER BY time ASC
