-- case: integral_window_fill
-- influxql: SELECT integral("v") FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z' GROUP BY time(1h) fill(0)
-- writes: False
-- params: {'p0': ''}
-- meta: {'action': 'select', 'columns': ['integral'], 'group_keys': [], 'heap': None, 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (WITH base AS NOT MATERIALIZED (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1577923199999999999), call_0_rows AS (SELECT p.t AS time, p.v AS v FROM (SELECT unnest(influxpy_integral_windows(list(time ORDER BY time, "
influxpy_tie"), list(CAST("v" AS DOUBLE) ORDER BY time, "
influxpy_tie"), 1000000000, 3600000000000, 0, FALSE, $p0)) AS p FROM base WHERE "v" IS NOT NULL AND time >= 1577836800000000000 AND time <= 1577923199999999999)), merged AS (SELECT time, v AS "
call_0" FROM call_0_rows), cells AS (SELECT time, "
call_0" AS "
call_0" FROM merged) SELECT time, "
call_0" AS "
col_0" FROM cells) AS r ORDER BY time ASC
