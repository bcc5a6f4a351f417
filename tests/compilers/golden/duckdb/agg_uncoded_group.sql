-- case: agg_uncoded_group
-- influxql: SELECT mean("cpu") FROM "servers" GROUP BY "name"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['mean'], 'group_keys': ['name'], 'measurement': 'servers'}
SELECT g0, time, c0 FROM (WITH base AS (SELECT "name" AS g0, time, "cpu" FROM "influxpy"."autogen.servers" WHERE TRUE AND TRUE), c0 AS (SELECT g0, 0 AS time, avg(CAST("cpu" AS DOUBLE)) AS v FROM base WHERE "cpu" IS NOT NULL AND TRUE GROUP BY ALL), merged AS (SELECT g0, time, v AS s0 FROM c0), cells AS (SELECT g0, time, s0 AS s0 FROM merged) SELECT g0, time, influxpy_null_nan(s0) AS c0 FROM cells) AS r ORDER BY g0 ASC, time ASC
