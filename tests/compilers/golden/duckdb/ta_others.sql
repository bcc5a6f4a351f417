-- case: ta_others
-- influxql: SELECT triple_exponential_moving_average("v", 3), triple_exponential_derivative("v", 3), relative_strength_index("v", 3), chande_momentum_oscillator("v", 3), kaufmans_efficiency_ratio("v", 3), kaufmans_adaptive_moving_average("v", 3) FROM "metrics"
-- writes: False
-- params: {'p0': 'triple_exponential_moving_average',
 'p1': 'exponential',
 'p10': 'kaufmans_adaptive_moving_average',
 'p11': 'exponential',
 'p2': 'triple_exponential_derivative',
 'p3': 'exponential',
 'p4': 'relative_strength_index',
 'p5': 'exponential',
 'p6': 'chande_momentum_oscillator',
 'p7': 'none',
 'p8': 'kaufmans_efficiency_ratio',
 'p9': 'exponential'}
-- meta: {'action': 'select',
 'columns': ['triple_exponential_moving_average',
             'triple_exponential_derivative',
             'relative_strength_index',
             'chande_momentum_oscillator',
             'kaufmans_efficiency_ratio',
             'kaufmans_adaptive_moving_average'],
 'group_keys': [],
 'measurement': 'metrics'}
SELECT time, c0, c1, c2, c3, c4, c5 FROM (WITH base AS (SELECT time, "v" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE), c0 AS (SELECT p.t AS time, p.v AS v FROM (SELECT unnest(influxpy_technical($p0, list(time ORDER BY time ASC), list(CAST(v AS DOUBLE) ORDER BY time ASC), 3, -1, $p1)) AS p FROM (SELECT time, "v" AS v FROM base WHERE "v" IS NOT NULL AND TRUE))), c1 AS (SELECT p.t AS time, p.v AS v FROM (SELECT unnest(influxpy_technical($p2, list(time ORDER BY time ASC), list(CAST(v AS DOUBLE) ORDER BY time ASC), 3, -1, $p3)) AS p FROM (SELECT time, "v" AS v FROM base WHERE "v" IS NOT NULL AND TRUE))), c2 AS (SELECT p.t AS time, p.v AS v FROM (SELECT unnest(influxpy_technical($p4, list(time ORDER BY time ASC), list(CAST(v AS DOUBLE) ORDER BY time ASC), 3, -1, $p5)) AS p FROM (SELECT time, "v" AS v FROM base WHERE "v" IS NOT NULL AND TRUE))), c3 AS (SELECT p.t AS time, p.v AS v FROM (SELECT unnest(influxpy_technical($p6, list(time ORDER BY time ASC), list(CAST(v AS DOUBLE) ORDER BY time ASC), 3, -1, $p7)) AS p FROM (SELECT time, "v" AS v FROM base WHERE "v" IS NOT NULL AND TRUE))), c4 AS (SELECT p.t AS time, p.v AS v FROM (SELECT unnest(influxpy_technical($p8, list(time ORDER BY time ASC), list(CAST(v AS DOUBLE) ORDER BY time ASC), 3, -1, $p9)) AS p FROM (SELECT time, "v" AS v FROM base WHERE "v" IS NOT NULL AND TRUE))), c5 AS (SELECT p.t AS time, p.v AS v FROM (SELECT unnest(influxpy_technical($p10, list(time ORDER BY time ASC), list(CAST(v AS DOUBLE) ORDER BY time ASC), 3, -1, $p11)) AS p FROM (SELECT time, "v" AS v FROM base WHERE "v" IS NOT NULL AND TRUE))), merged AS (SELECT time, s0, s1, s2, s3, s4, s5 FROM (SELECT time FROM c0 UNION SELECT time FROM c1 UNION SELECT time FROM c2 UNION SELECT time FROM c3 UNION SELECT time FROM c4 UNION SELECT time FROM c5) AS k LEFT JOIN (SELECT time, v AS s0 FROM c0) AS j0 USING (time) LEFT JOIN (SELECT time, v AS s1 FROM c1) AS j1 USING (time) LEFT JOIN (SELECT time, v AS s2 FROM c2) AS j2 USING (time) LEFT JOIN (SELECT time, v AS s3 FROM c3) AS j3 USING (time) LEFT JOIN (SELECT time, v AS s4 FROM c4) AS j4 USING (time) LEFT JOIN (SELECT time, v AS s5 FROM c5) AS j5 USING (time)), cells AS (SELECT time, s0 AS s0, s1 AS s1, s2 AS s2, s3 AS s3, s4 AS s4, s5 AS s5 FROM merged) SELECT time, influxpy_null_nan(s0) AS c0, influxpy_null_nan(s1) AS c1, influxpy_null_nan(s2) AS c2, influxpy_null_nan(s3) AS c3, influxpy_null_nan(s4) AS c4, influxpy_null_nan(s5) AS c5 FROM cells) AS r ORDER BY time ASC
