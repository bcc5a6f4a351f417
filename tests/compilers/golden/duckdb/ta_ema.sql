-- case: ta_ema
-- influxql: SELECT exponential_moving_average("v", 3) FROM "metrics"
-- writes: False
-- params: {'p0': 'exponential_moving_average', 'p1': 'exponential'}
-- meta: {'action': 'select', 'columns': ['exponential_moving_average'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, c0 FROM (WITH base AS (SELECT time, "v" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE), c0 AS (SELECT p.t AS time, p.v AS v FROM (SELECT unnest(influxpy_technical($p0, list(time ORDER BY time ASC), list(CAST(v AS DOUBLE) ORDER BY time ASC), 3, -1, $p1)) AS p FROM (SELECT time, "v" AS v FROM base WHERE "v" IS NOT NULL AND TRUE))), merged AS (SELECT time, v AS s0 FROM c0), cells AS (SELECT time, s0 AS s0 FROM merged) SELECT time, influxpy_null_nan(s0) AS c0 FROM cells) AS r ORDER BY time ASC
