-- case: into_window
-- influxql: SELECT mean("v") AS "v" INTO "target" FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z' GROUP BY time(1h), "host"
-- writes: True
-- params: {}
-- meta: {'action': 'into', 'columns': ['v'], 'database': None, 'group_keys': ['host'], 'kinds': ['float'], 'measurement': 'target', 'retention_policy': None}
SELECT g0, time, c0 FROM (WITH base AS (SELECT "host" AS g0, "
code:host" AS gc0, time, "v" FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1577923199999999999), c0 AS (SELECT d0.value AS g0, 1577836800000000000 + r.time * 3600000000000 AS time, r.v FROM (SELECT gc0, (time - 1577836800000000000) // 3600000000000 AS time, avg(CAST("v" AS DOUBLE)) AS v FROM base WHERE "v" IS NOT NULL AND time >= 1577836800000000000 AND time <= 1577923199999999999 GROUP BY ALL) AS r JOIN main.influxpy_tag_codes d0 ON r.gc0 = d0.code), merged AS (SELECT g0, time, v AS s0 FROM c0), cells AS (SELECT g0, time, s0 AS s0 FROM merged) SELECT g0, time, influxpy_null_nan(s0) AS c0 FROM cells) AS r ORDER BY g0 ASC, time ASC
