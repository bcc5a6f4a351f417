-- case: sel_lone_max_with_fields
-- influxql: SELECT max("v"), "n", "host" FROM "metrics"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['max', 'n', 'host'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, c0, c1, c2 FROM (WITH base AS (SELECT time, "v", "n" AS a0, NULLIF("host", '') AS a1 FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE), c0 AS (SELECT first(time ORDER BY "v" DESC, time ASC) AS time, max("v") AS v, first(a0 ORDER BY "v" DESC, time ASC) AS a0, first(a1 ORDER BY "v" DESC, time ASC) AS a1 FROM base WHERE "v" IS NOT NULL AND TRUE GROUP BY ALL HAVING count("v") > 0), merged AS (SELECT time, v AS s0, a0, a1 FROM c0), cells AS (SELECT time, s0 AS s0, a0 AS a0, a1 AS a1 FROM merged) SELECT time, influxpy_null_nan(s0) AS c0, a0 AS c1, a1 AS c2 FROM cells) AS r ORDER BY time ASC
