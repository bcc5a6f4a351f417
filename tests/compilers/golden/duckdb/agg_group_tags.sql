-- case: agg_group_tags
-- influxql: SELECT mean("v") FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z' GROUP BY "host", "dc"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['mean'], 'group_keys': ['dc', 'host'], 'measurement': 'metrics'}
SELECT g0, g1, time, c0 FROM (WITH base AS (SELECT "dc" AS g0, "host" AS g1, "
code:dc" AS gc0, "
code:host" AS gc1, time, "v" FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1577923199999999999), c0 AS (SELECT d0.value AS g0, d1.value AS g1, r.time, r.v FROM (SELECT gc0, gc1, 1577836800000000000 AS time, avg(CAST("v" AS DOUBLE)) AS v FROM base WHERE "v" IS NOT NULL AND time >= 1577836800000000000 AND time <= 1577923199999999999 GROUP BY ALL) AS r JOIN main.influxpy_tag_codes d0 ON r.gc0 = d0.code JOIN main.influxpy_tag_codes d1 ON r.gc1 = d1.code), merged AS (SELECT g0, g1, time, v AS s0 FROM c0), cells AS (SELECT g0, g1, time, s0 AS s0 FROM merged) SELECT g0, g1, time, influxpy_null_nan(s0) AS c0 FROM cells) AS r ORDER BY g0 ASC, g1 ASC, time ASC
