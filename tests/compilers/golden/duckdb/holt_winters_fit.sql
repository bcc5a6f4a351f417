-- case: holt_winters_fit
-- influxql: SELECT holt_winters_with_fit(max("v"), 3, 0) FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z' GROUP BY time(1h)
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['holt_winters_with_fit'], 'group_keys': [], 'heap': None, 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (WITH base AS NOT MATERIALIZED (SELECT time, "v" FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1577923199999999999), call_0_rows_source_unfilled AS (SELECT time - (time) % 3600000000000 AS time, max("v") AS v FROM base WHERE "v" IS NOT NULL AND time >= 1577836800000000000 AND time <= 1577923199999999999 GROUP BY ALL), call_0_rows_source AS (SELECT time, v AS v FROM (SELECT grid.*, r.v, coalesce(r.present, FALSE) AS present FROM (SELECT unnest(range(first_window, 1577919600000000001, 3600000000000)) AS time FROM (SELECT DISTINCT 1577836800000000000 AS first_window FROM call_0_rows_source_unfilled)) AS grid LEFT JOIN (SELECT *, TRUE AS present FROM call_0_rows_source_unfilled) AS r USING (time)) AS filled), call_0_rows AS (SELECT p.t AS time, p.v AS v FROM (SELECT unnest(influxpy_holt_winters(list(time ORDER BY time), list(CAST(v AS DOUBLE) ORDER BY time), 3, 0, TRUE, 3600000000000)) AS p FROM (SELECT * FROM call_0_rows_source WHERE v IS NOT NULL))), merged AS (SELECT time, v AS "
call_0" FROM call_0_rows), cells AS (SELECT time, "
call_0" AS "
call_0" FROM merged) SELECT time, "
call_0" AS "
col_0" FROM cells) AS r ORDER BY time ASC
