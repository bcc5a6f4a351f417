-- case: subquery_aggregate
-- influxql: SELECT max("m") AS "top" FROM (SELECT mean("v") AS "m" FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z' GROUP BY time(10m), "host")
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['top'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (WITH base AS (SELECT time, "m" FROM (SELECT "
grp_0" AS "host", time, "
col_0" AS "m" FROM (SELECT "
grp_0", time, "
col_0" FROM (WITH base AS (SELECT "host" AS "
grp_0", "
code:host" AS "
grp_code_0", time, "v" FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1577923199999999999), call_0_rows AS (SELECT codes_0.value AS "
grp_0", 1577836800000000000 + r.time * 600000000000 AS time, r.v FROM (SELECT "
grp_code_0", (time - 1577836800000000000) // 600000000000 AS time, avg(CAST("v" AS DOUBLE)) AS v FROM base WHERE "v" IS NOT NULL AND time >= 1577836800000000000 AND time <= 1577923199999999999 GROUP BY ALL) AS r JOIN main.influxpy_tag_codes codes_0 ON r."
grp_code_0" = codes_0.code), merged AS (SELECT "
grp_0", time, v AS "
call_0" FROM call_0_rows), cells AS (SELECT "
grp_0", time, "
call_0" AS "
call_0" FROM merged) SELECT "
grp_0", time, "
call_0" AS "
col_0" FROM cells) AS r ORDER BY "
grp_0" ASC, time ASC)) WHERE TRUE AND TRUE), call_0_rows AS (SELECT (CASE WHEN isnan(first("m" ORDER BY time ASC, isnan("m"))) THEN first(time ORDER BY time ASC, isnan("m")) ELSE first(time ORDER BY "m" DESC, time ASC) FILTER (WHERE NOT isnan("m")) END) AS time, (CASE WHEN isnan(first("m" ORDER BY time ASC, isnan("m"))) THEN CAST('NaN' AS DOUBLE) ELSE max("m") FILTER (WHERE NOT isnan("m")) END) AS v FROM base WHERE "m" IS NOT NULL AND TRUE GROUP BY ALL HAVING count("m") > 0), merged AS (SELECT time, v AS "
call_0" FROM call_0_rows), cells AS (SELECT time, "
call_0" AS "
call_0" FROM merged) SELECT time, "
call_0" AS "
col_0" FROM cells) AS r ORDER BY time ASC
