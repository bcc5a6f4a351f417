-- case: sel_first_last
-- influxql: SELECT first("v"), last("n") FROM "metrics"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['first', 'last'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0", CASE WHEN typeof("
col_1") = 'DOUBLE' AND isnan(TRY_CAST("
col_1" AS DOUBLE)) THEN NULL ELSE "
col_1" END AS "
col_1" FROM (WITH base AS NOT MATERIALIZED (SELECT time, "n", "v" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE), call_0_rows AS (SELECT 0 AS time, first("v" ORDER BY time ASC, "v" DESC) AS v FROM base WHERE "v" IS NOT NULL AND TRUE GROUP BY ALL HAVING count("v") > 0), call_1_rows AS (SELECT 0 AS time, first("n" ORDER BY time DESC, "n" DESC) AS v FROM base WHERE "n" IS NOT NULL AND TRUE GROUP BY ALL HAVING count("n") > 0), merged AS (SELECT time, "
call_0", "
call_1" FROM (SELECT time FROM call_0_rows UNION SELECT time FROM call_1_rows) AS keys LEFT JOIN (SELECT time, v AS "
call_0" FROM call_0_rows) AS call_0_join USING (time) LEFT JOIN (SELECT time, v AS "
call_1" FROM call_1_rows) AS call_1_join USING (time)), cells AS (SELECT time, "
call_0" AS "
call_0", "
call_1" AS "
call_1" FROM merged) SELECT time, "
call_0" AS "
col_0", "
call_1" AS "
col_1" FROM cells) AS r ORDER BY time ASC
