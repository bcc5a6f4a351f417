-- case: agg_window_group
-- influxql: SELECT count("v") FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z' GROUP BY time(10m), "host"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['count'], 'group_keys': ['host'], 'measurement': 'metrics'}
SELECT "
grp_0", time, "
col_0" FROM (WITH base AS (SELECT "host" AS "
grp_0", "
code:host" AS "
grp_code_0", time, "v" FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1577923199999999999), call_0_rows_unfilled AS (SELECT codes_0.value AS "
grp_0", 1577836800000000000 + r.time * 600000000000 AS time, r.v FROM (SELECT "
grp_code_0", (time - 1577836800000000000) // 600000000000 AS time, count("v") AS v FROM base WHERE "v" IS NOT NULL AND time >= 1577836800000000000 AND time <= 1577923199999999999 GROUP BY ALL) AS r JOIN main.influxpy_tag_codes codes_0 ON r."
grp_code_0" = codes_0.code), call_0_rows AS (SELECT "
grp_0", time, CASE WHEN present THEN v ELSE 0 END AS v FROM (SELECT grid.*, r.v, coalesce(r.present, FALSE) AS present FROM (SELECT "
grp_0", unnest(range(first_window, 1577922600000000001, 600000000000)) AS time FROM (SELECT DISTINCT "
grp_0", 1577836800000000000 AS first_window FROM call_0_rows_unfilled)) AS grid LEFT JOIN (SELECT *, TRUE AS present FROM call_0_rows_unfilled) AS r USING ("
grp_0", time)) AS filled), merged AS (SELECT "
grp_0", time, v AS "
call_0" FROM call_0_rows), cells AS (SELECT "
grp_0", time, "
call_0" AS "
call_0" FROM merged) SELECT "
grp_0", time, "
call_0" AS "
col_0" FROM cells) AS r ORDER BY "
grp_0" ASC, time ASC
