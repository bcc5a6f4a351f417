-- case: difference
-- influxql: SELECT difference("n"), non_negative_difference("v") FROM "metrics"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['difference', 'non_negative_difference'], 'group_keys': [], 'heap': None, 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0", CASE WHEN typeof("
col_1") = 'DOUBLE' AND isnan(TRY_CAST("
col_1" AS DOUBLE)) THEN NULL ELSE "
col_1" END AS "
col_1" FROM (WITH base AS NOT MATERIALIZED (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "n", "v" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE), call_0_rows AS (SELECT time, v FROM (SELECT time, x - px AS v, px IS NOT NULL AS keep FROM (SELECT *, lag(x) OVER (ORDER BY time ASC, x) AS px, lag(time) OVER (ORDER BY time ASC, x) AS pt, row_number() OVER (ORDER BY time ASC, x) AS rn FROM (SELECT time, v AS x FROM (SELECT time, "n" AS v FROM base WHERE "n" IS NOT NULL AND TRUE) QUALIFY row_number() OVER (PARTITION BY time ORDER BY x) = 1))) WHERE keep), call_1_rows AS (SELECT time, v FROM (SELECT time, x - px AS v, px IS NOT NULL AND NOT (x - px < 0) AS keep FROM (SELECT *, lag(x) OVER (ORDER BY time ASC, x) AS px, lag(time) OVER (ORDER BY time ASC, x) AS pt, row_number() OVER (ORDER BY time ASC, x) AS rn FROM (SELECT time, v AS x FROM (SELECT time, "v" AS v FROM base WHERE "v" IS NOT NULL AND TRUE) QUALIFY row_number() OVER (PARTITION BY time ORDER BY x) = 1))) WHERE keep), merged AS (SELECT time, "
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
