-- case: sel_percentile
-- influxql: SELECT percentile("v", 90) FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z' GROUP BY time(1h)
-- writes: False
-- params: {'p0': 90.0, 'p1': 90.0}
-- meta: {'action': 'select', 'columns': ['percentile'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (WITH base AS (SELECT time, "v" FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1577923199999999999), call_0_rows_unfilled AS (SELECT * FROM (SELECT time - (time) % 3600000000000 AS time, any_value("v") FILTER (WHERE "
influxpy_rn" = CAST(floor(CAST("
influxpy_size" AS DOUBLE) * CAST($p0 AS DOUBLE) / 100.0 + 0.5) AS BIGINT)) AS v FROM (SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY time - (time) % 3600000000000 ORDER BY "v", time) AS "
influxpy_rn", count(*) OVER (PARTITION BY time - (time) % 3600000000000) AS "
influxpy_size" FROM base WHERE "v" IS NOT NULL AND time >= 1577836800000000000 AND time <= 1577923199999999999) WHERE "
influxpy_rn" = CAST(floor(CAST("
influxpy_size" AS DOUBLE) * CAST($p1 AS DOUBLE) / 100.0 + 0.5) AS BIGINT)) GROUP BY ALL) WHERE v IS NOT NULL), call_0_rows AS (SELECT time, v AS v FROM (SELECT grid.*, r.v, coalesce(r.present, FALSE) AS present FROM (SELECT unnest(range(first_window, 1577919600000000001, 3600000000000)) AS time FROM (SELECT DISTINCT 1577836800000000000 AS first_window FROM call_0_rows_unfilled)) AS grid LEFT JOIN (SELECT *, TRUE AS present FROM call_0_rows_unfilled) AS r USING (time)) AS filled), merged AS (SELECT time, v AS "
call_0" FROM call_0_rows), cells AS (SELECT time, "
call_0" AS "
call_0" FROM merged) SELECT time, "
call_0" AS "
col_0" FROM cells) AS r ORDER BY time ASC
