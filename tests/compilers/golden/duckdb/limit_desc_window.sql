-- case: limit_desc_window
-- influxql: SELECT sum("n") FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z' GROUP BY time(1m) ORDER BY time DESC LIMIT 4
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['sum'], 'group_keys': [], 'heap': None, 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (WITH base AS NOT MATERIALIZED (SELECT time, "
code:dc", "
code:host", "n" FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1577923199999999999), call_0_rows_unfilled AS (SELECT time - (time) % 60000000000 AS time, CAST(((CAST(sum("n") AS HUGEINT) % 18446744073709551616) + 27670116110564327424) % 18446744073709551616 - 9223372036854775808 AS BIGINT) AS v FROM base WHERE "n" IS NOT NULL AND time >= 1577836800000000000 AND time <= 1577923199999999999 GROUP BY ALL), call_0_rows AS (SELECT time, v AS v FROM (SELECT grid.*, r.v, coalesce(r.present, FALSE) AS present FROM (SELECT unnest(range(first_window, 1577923140000000001, 60000000000)) AS time FROM (SELECT DISTINCT 1577836800000000000 AS first_window FROM call_0_rows_unfilled)) AS grid LEFT JOIN (SELECT *, TRUE AS present FROM call_0_rows_unfilled) AS r USING (time)) AS filled), call_0_rows_limited AS (SELECT * FROM call_0_rows QUALIFY row_number() OVER (ORDER BY time DESC) >= 1 AND row_number() OVER (ORDER BY time DESC) < 5), merged AS (SELECT time, v AS "
call_0" FROM call_0_rows_limited), cells AS (SELECT time, "
call_0" AS "
call_0" FROM merged) SELECT time, "
call_0" AS "
col_0" FROM cells) AS r ORDER BY time DESC
