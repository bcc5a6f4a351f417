-- case: sel_first_last
-- influxql: SELECT first("v"), last("n") FROM "metrics"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['first', 'last'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, c0, c1 FROM (WITH base AS (SELECT time, "n", "v" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE), c0 AS (SELECT 0 AS time, first("v" ORDER BY time ASC, "v" DESC) AS v FROM base WHERE "v" IS NOT NULL AND TRUE GROUP BY ALL HAVING count("v") > 0), c1 AS (SELECT 0 AS time, first("n" ORDER BY time DESC, "n" DESC) AS v FROM base WHERE "n" IS NOT NULL AND TRUE GROUP BY ALL HAVING count("n") > 0), merged AS (SELECT time, s0, s1 FROM (SELECT time FROM c0 UNION SELECT time FROM c1) AS k LEFT JOIN (SELECT time, v AS s0 FROM c0) AS j0 USING (time) LEFT JOIN (SELECT time, v AS s1 FROM c1) AS j1 USING (time)), cells AS (SELECT time, s0 AS s0, s1 AS s1 FROM merged) SELECT time, influxpy_null_nan(s0) AS c0, s1 AS c1 FROM cells) AS r ORDER BY time ASC
