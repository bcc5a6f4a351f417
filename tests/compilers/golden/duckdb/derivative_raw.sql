-- case: derivative_raw
-- influxql: SELECT derivative("v", 1s) FROM "metrics"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['derivative'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, c0 FROM (WITH base AS (SELECT time, "v" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE), c0 AS (SELECT time, v FROM (SELECT time, CAST(x - px AS DOUBLE) / (CAST(time - pt AS DOUBLE) / CAST(1000000000 AS DOUBLE)) AS v, px IS NOT NULL AS k FROM (SELECT *, lag(x) OVER (ORDER BY time ASC) AS px, lag(time) OVER (ORDER BY time ASC) AS pt, row_number() OVER (ORDER BY time ASC) AS rn FROM (SELECT time, v AS x FROM (SELECT time, "v" AS v FROM base WHERE "v" IS NOT NULL AND TRUE)))) WHERE k), merged AS (SELECT time, v AS s0 FROM c0), cells AS (SELECT time, s0 AS s0 FROM merged) SELECT time, influxpy_null_nan(s0) AS c0 FROM cells) AS r ORDER BY time ASC
