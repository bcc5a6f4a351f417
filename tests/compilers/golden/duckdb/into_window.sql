-- case: into_window
-- influxql: SELECT mean("v") AS "v" INTO "target" FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z' GROUP BY time(1h), "host"
-- writes: True
-- params: {}
-- meta: {'action': 'into', 'columns': ['v'], 'database': None, 'group_keys': ['host'], 'kinds': ['float'], 'measurement': 'target', 'retention_policy': None, 'tag_columns': []}
SELECT "
grp_0", time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (WITH base AS (SELECT "host" AS "
grp_0", "
code:host" AS "
grp_code_0", time, "v" FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1577923199999999999), call_0_rows AS (SELECT codes_0.value AS "
grp_0", 1577836800000000000 + r.time * 3600000000000 AS time, r.v FROM (SELECT "
grp_code_0", (time - 1577836800000000000) // 3600000000000 AS time, avg(CAST("v" AS DOUBLE)) AS v FROM base WHERE "v" IS NOT NULL AND time >= 1577836800000000000 AND time <= 1577923199999999999 GROUP BY ALL) AS r JOIN main.influxpy_tag_codes codes_0 ON r."
grp_code_0" = codes_0.code), merged AS (SELECT "
grp_0", time, v AS "
call_0" FROM call_0_rows), cells AS (SELECT "
grp_0", time, "
call_0" AS "
call_0" FROM merged) SELECT "
grp_0", time, "
call_0" AS "
col_0" FROM cells) AS r ORDER BY "
grp_0" ASC, time ASC
