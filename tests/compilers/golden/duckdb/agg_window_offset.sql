-- case: agg_window_offset
-- influxql: SELECT max("v") FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z' GROUP BY time(1h, 15m)
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['max'], 'group_keys': [], 'heap': None, 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (WITH base AS NOT MATERIALIZED (SELECT time, "v" FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1577923199999999999), call_0_rows_unfilled AS (SELECT time - (time - 900000000000) % 3600000000000 AS time, max("v") AS v FROM base WHERE "v" IS NOT NULL AND time >= 1577836800000000000 AND time <= 1577923199999999999 GROUP BY ALL), call_0_rows AS (SELECT time, v AS v FROM (SELECT grid.*, r.v, coalesce(r.present, FALSE) AS present FROM (SELECT unnest(range(first_window, 1577920500000000001, 3600000000000)) AS time FROM (SELECT DISTINCT 1577834100000000000 AS first_window FROM call_0_rows_unfilled)) AS grid LEFT JOIN (SELECT *, TRUE AS present FROM call_0_rows_unfilled) AS r USING (time)) AS filled), merged AS (SELECT time, v AS "
call_0" FROM call_0_rows), cells AS (SELECT time, "
call_0" AS "
call_0" FROM merged) SELECT time, "
call_0" AS "
col_0" FROM cells) AS r ORDER BY time ASC
