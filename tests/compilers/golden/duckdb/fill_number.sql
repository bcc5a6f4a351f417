-- case: fill_number
-- influxql: SELECT mean("v"), count("n") FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z' GROUP BY time(1h) fill(-1)
-- writes: False
-- params: {'p0': -1.0, 'p1': -1, 'p2': -1.0, 'p3': -1}
-- meta: {'action': 'select', 'columns': ['mean', 'count'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0", CASE WHEN typeof("
col_1") = 'DOUBLE' AND isnan(TRY_CAST("
col_1" AS DOUBLE)) THEN NULL ELSE "
col_1" END AS "
col_1" FROM (WITH base AS (SELECT time, "n", "v" FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1577923199999999999), call_0_rows_unfilled AS (SELECT time - (time) % 3600000000000 AS time, avg(CAST("v" AS DOUBLE)) AS v FROM base WHERE "v" IS NOT NULL AND time >= 1577836800000000000 AND time <= 1577923199999999999 GROUP BY ALL), call_0_rows AS (SELECT time, CASE WHEN present THEN v ELSE CAST($p0 AS DOUBLE) END AS v FROM (SELECT grid.*, r.v, coalesce(r.present, FALSE) AS present FROM (SELECT unnest(range(first_window, 1577919600000000001, 3600000000000)) AS time FROM (SELECT DISTINCT 1577836800000000000 AS first_window FROM call_0_rows_unfilled)) AS grid LEFT JOIN (SELECT *, TRUE AS present FROM call_0_rows_unfilled) AS r USING (time)) AS filled), call_1_rows_unfilled AS (SELECT time - (time) % 3600000000000 AS time, count("n") AS v FROM base WHERE "n" IS NOT NULL AND time >= 1577836800000000000 AND time <= 1577923199999999999 GROUP BY ALL), call_1_rows AS (SELECT time, CASE WHEN present THEN v ELSE CAST($p1 AS BIGINT) END AS v FROM (SELECT grid.*, r.v, coalesce(r.present, FALSE) AS present FROM (SELECT unnest(range(first_window, 1577919600000000001, 3600000000000)) AS time FROM (SELECT DISTINCT 1577836800000000000 AS first_window FROM call_1_rows_unfilled)) AS grid LEFT JOIN (SELECT *, TRUE AS present FROM call_1_rows_unfilled) AS r USING (time)) AS filled), merged AS (SELECT time, "
call_0", "
call_1" FROM (SELECT time FROM call_0_rows UNION SELECT time FROM call_1_rows) AS keys LEFT JOIN (SELECT time, v AS "
call_0" FROM call_0_rows) AS call_0_join USING (time) LEFT JOIN (SELECT time, v AS "
call_1" FROM call_1_rows) AS call_1_join USING (time)), cells AS (SELECT time, coalesce("
call_0", CAST($p2 AS DOUBLE)) AS "
call_0", coalesce("
call_1", CAST($p3 AS BIGINT)) AS "
call_1" FROM merged) SELECT time, "
call_0" AS "
col_0", "
call_1" AS "
col_1" FROM cells) AS r ORDER BY time ASC
