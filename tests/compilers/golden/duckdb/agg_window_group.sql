-- case: agg_window_group
-- influxql: SELECT count("v") FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z' GROUP BY time(10m), "host"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['count'], 'group_keys': ['host'], 'measurement': 'metrics'}
SELECT g0, time, c0 FROM (WITH base AS (SELECT "host" AS g0, "
code:host" AS gc0, time, "v" FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1577923199999999999), c0_real AS (SELECT d0.value AS g0, 1577836800000000000 + r.time * 600000000000 AS time, r.v FROM (SELECT gc0, (time - 1577836800000000000) // 600000000000 AS time, count("v") AS v FROM base WHERE "v" IS NOT NULL AND time >= 1577836800000000000 AND time <= 1577923199999999999 GROUP BY ALL) AS r JOIN main.influxpy_tag_codes d0 ON r.gc0 = d0.code), c0 AS (SELECT g0, time, CASE WHEN present THEN v ELSE 0 END AS v FROM (SELECT grid.*, r.v, coalesce(r.present, FALSE) AS present FROM (SELECT g0, unnest(range(s, 1577922600000000001, 600000000000)) AS time FROM (SELECT DISTINCT g0, 1577836800000000000 AS s FROM c0_real)) AS grid LEFT JOIN (SELECT *, TRUE AS present FROM c0_real) AS r USING (g0, time)) AS j), merged AS (SELECT g0, time, v AS s0 FROM c0), cells AS (SELECT g0, time, s0 AS s0 FROM merged) SELECT g0, time, s0 AS c0 FROM cells) AS r ORDER BY g0 ASC, time ASC
