-- case: window_tz_day
-- influxql: SELECT sum("n") FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-03-31T00:00:00Z' GROUP BY time(1d) fill(0) tz('America/New_York')
-- writes: False
-- params: {'p1': 'America/New_York', 'p2': 'America/New_York', 'p3': 0}
-- meta: {'action': 'select', 'columns': ['sum'], 'group_keys': [], 'heap': None, 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (WITH base AS NOT MATERIALIZED (SELECT time, "
code:dc", "
code:host", "n" FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1585612799999999999), call_0_rows_unfilled AS (SELECT * EXCLUDE ("
influxpy_k"), row_number() OVER (PARTITION BY time ORDER BY "
influxpy_k") AS "
influxpy_n" FROM (SELECT "
influxpy_w" AS time, CAST(((CAST(sum("n") AS HUGEINT) % 18446744073709551616) + 27670116110564327424) % 18446744073709551616 - 9223372036854775808 AS BIGINT) AS v, "
influxpy_k" FROM (SELECT * FROM base WHERE "n" IS NOT NULL AND time >= 1577836800000000000 AND time <= 1585612799999999999) AS influxpy_r JOIN (SELECT assigned.t AS time, assigned.w AS "
influxpy_w", assigned.k AS "
influxpy_k" FROM (SELECT unnest(influxpy_tz_assign(list_sort(list_distinct(list(time))), 86400000000000, 0, $p1, FALSE)) AS assigned FROM (SELECT * FROM base WHERE "n" IS NOT NULL AND time >= 1577836800000000000 AND time <= 1585612799999999999))) AS influxpy_a USING (time) GROUP BY "
influxpy_k", "
influxpy_w")), call_0_rows AS (SELECT time, CASE WHEN present THEN v ELSE CAST($p3 AS BIGINT) END AS v, "
influxpy_n" FROM (SELECT grid.*, r.v, coalesce(r."
influxpy_n", 1) AS "
influxpy_n", coalesce(r.present, FALSE) AS present FROM (SELECT unnest(influxpy_tz_fill(list(time ORDER BY time ASC), 1577768400000000000, 1585540800000000000, 86400000000000, $p2, FALSE)) AS time FROM call_0_rows_unfilled UNION SELECT time FROM call_0_rows_unfilled) AS grid LEFT JOIN (SELECT *, TRUE AS present FROM call_0_rows_unfilled) AS r USING (time)) AS filled), merged AS (SELECT time, "
influxpy_n", v AS "
call_0" FROM call_0_rows), cells AS (SELECT time, "
influxpy_n", "
call_0" AS "
call_0" FROM merged) SELECT time, "
influxpy_n", "
call_0" AS "
col_0" FROM cells) AS r ORDER BY time ASC, "
influxpy_n" ASC
