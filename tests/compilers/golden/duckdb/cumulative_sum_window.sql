-- case: cumulative_sum_window
-- influxql: SELECT cumulative_sum(sum("n")) FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z' GROUP BY time(1h)
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['cumulative_sum'], 'group_keys': [], 'heap': None, 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (WITH base AS NOT MATERIALIZED (SELECT time, "
code:dc", "
code:host", "n" FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1577923199999999999), call_0_rows_source_unfilled AS (SELECT time - (time) % 3600000000000 AS time, CAST(((CAST(sum("n") AS HUGEINT) % 18446744073709551616) + 27670116110564327424) % 18446744073709551616 - 9223372036854775808 AS BIGINT) AS v FROM base WHERE "n" IS NOT NULL AND time >= 1577836800000000000 AND time <= 1577923199999999999 GROUP BY ALL), call_0_rows_source AS (SELECT time, v AS v FROM (SELECT grid.*, r.v, coalesce(r.present, FALSE) AS present FROM (SELECT unnest(range(first_window, 1577919600000000001, 3600000000000)) AS time FROM (SELECT DISTINCT 1577836800000000000 AS first_window FROM call_0_rows_source_unfilled)) AS grid LEFT JOIN (SELECT *, TRUE AS present FROM call_0_rows_source_unfilled) AS r USING (time)) AS filled), call_0_rows AS (SELECT time, v FROM (SELECT time, CAST(((CAST(sum(x) OVER (ORDER BY time ASC, x ROWS UNBOUNDED PRECEDING) AS HUGEINT) % 18446744073709551616) + 27670116110564327424) % 18446744073709551616 - 9223372036854775808 AS BIGINT) AS v, TRUE AS keep FROM (SELECT *, lag(x) OVER (ORDER BY time ASC, x) AS px, lag(time) OVER (ORDER BY time ASC, x) AS pt, row_number() OVER (ORDER BY time ASC, x) AS rn FROM (SELECT time, v AS x FROM (SELECT * FROM call_0_rows_source WHERE v IS NOT NULL)))) WHERE keep), merged AS (SELECT time, v AS "
call_0" FROM call_0_rows), cells AS (SELECT time, "
call_0" AS "
call_0" FROM merged) SELECT time, "
call_0" AS "
col_0" FROM cells) AS r ORDER BY time ASC
