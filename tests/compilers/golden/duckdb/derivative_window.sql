-- case: derivative_window
-- influxql: SELECT non_negative_derivative(mean("v"), 1m) FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z' GROUP BY time(5m)
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['non_negative_derivative'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (WITH base AS (SELECT time, "v" FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836500000000000 AND time <= 1577923199999999999), call_0_rows_source_unfilled AS (SELECT time - (time) % 300000000000 AS time, avg(CAST("v" AS DOUBLE)) AS v FROM base WHERE "v" IS NOT NULL AND time >= 1577836500000000000 AND time <= 1577923199999999999 GROUP BY ALL), call_0_rows_source AS (SELECT time, v AS v FROM (SELECT grid.*, r.v, coalesce(r.present, FALSE) AS present FROM (SELECT unnest(range(first_window, 1577922900000000001, 300000000000)) AS time FROM (SELECT DISTINCT 1577836500000000000 AS first_window FROM call_0_rows_source_unfilled)) AS grid LEFT JOIN (SELECT *, TRUE AS present FROM call_0_rows_source_unfilled) AS r USING (time)) AS filled), call_0_rows AS (SELECT time, v FROM (SELECT time, CAST(x - px AS DOUBLE) / (CAST(time - pt AS DOUBLE) / CAST(60000000000 AS DOUBLE)) AS v, px IS NOT NULL AND NOT (CAST(x - px AS DOUBLE) < 0) AS keep FROM (SELECT *, lag(x) OVER (ORDER BY time ASC, x) AS px, lag(time) OVER (ORDER BY time ASC, x) AS pt, row_number() OVER (ORDER BY time ASC, x) AS rn FROM (SELECT time, v AS x FROM (SELECT * FROM call_0_rows_source WHERE v IS NOT NULL) QUALIFY row_number() OVER (PARTITION BY time ORDER BY x) = 1))) WHERE keep), merged AS (SELECT time, v AS "
call_0" FROM call_0_rows), cells AS (SELECT time, "
call_0" AS "
call_0" FROM merged) SELECT time, "
call_0" AS "
col_0" FROM cells) AS r ORDER BY time ASC
