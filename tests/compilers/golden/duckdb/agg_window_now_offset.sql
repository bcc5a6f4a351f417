-- case: agg_window_now_offset
-- influxql: SELECT sum("n") FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z' GROUP BY time(1h, now())
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['sum'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, c0 FROM (WITH base AS (SELECT time, "n" FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1577923199999999999), c0_real AS (SELECT time - (time - 1600123456789) % 3600000000000 AS time, CAST(sum("n") AS BIGINT) AS v FROM base WHERE "n" IS NOT NULL AND time >= 1577836800000000000 AND time <= 1577923199999999999 GROUP BY ALL), c0 AS (SELECT time, v AS v FROM (SELECT grid.*, r.v, coalesce(r.present, FALSE) AS present FROM (SELECT unnest(range(s, 1577921200123456790, 3600000000000)) AS time FROM (SELECT DISTINCT 1577834800123456789 AS s FROM c0_real)) AS grid LEFT JOIN (SELECT *, TRUE AS present FROM c0_real) AS r USING (time)) AS j), merged AS (SELECT time, v AS s0 FROM c0), cells AS (SELECT time, s0 AS s0 FROM merged) SELECT time, s0 AS c0 FROM cells) AS r ORDER BY time ASC
