-- case: fill_number_raw_field
-- influxql: SELECT max("v"), "n" FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z' GROUP BY time(1h) fill(0)
-- writes: False
-- params: {'p0': 0.0, 'p1': 0}
-- meta: {'action': 'select', 'columns': ['max', 'n'], 'group_keys': [], 'heap': None, 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0", CASE WHEN typeof("
col_1") = 'DOUBLE' AND isnan(TRY_CAST("
col_1" AS DOUBLE)) THEN NULL ELSE "
col_1" END AS "
col_1" FROM (WITH base AS NOT MATERIALIZED (SELECT time, "v", "n" AS "
aux_0" FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1577923199999999999), call_0_rows_unfilled AS (SELECT time - (time) % 3600000000000 AS time, max("v") AS v, first("
aux_0" ORDER BY "v" DESC, time ASC) AS "
aux_0" FROM base WHERE "v" IS NOT NULL AND time >= 1577836800000000000 AND time <= 1577923199999999999 GROUP BY ALL), call_0_rows AS (SELECT time, CASE WHEN present THEN v ELSE CAST($p0 AS DOUBLE) END AS v, "
aux_0" FROM (SELECT grid.*, r.v, r."
aux_0", coalesce(r.present, FALSE) AS present FROM (SELECT unnest(range(first_window, 1577919600000000001, 3600000000000)) AS time FROM (SELECT DISTINCT 1577836800000000000 AS first_window FROM call_0_rows_unfilled)) AS grid LEFT JOIN (SELECT *, TRUE AS present FROM call_0_rows_unfilled) AS r USING (time)) AS filled), merged AS (SELECT time, v AS "
call_0", "
aux_0" FROM call_0_rows), cells AS (SELECT time, "
call_0" AS "
call_0", coalesce("
aux_0", CAST($p1 AS BIGINT)) AS "
aux_0" FROM merged) SELECT time, "
call_0" AS "
col_0", "
aux_0" AS "
col_1" FROM cells) AS r ORDER BY time ASC
