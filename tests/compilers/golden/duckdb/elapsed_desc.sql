-- case: elapsed_desc
-- influxql: SELECT elapsed("v", 1s) FROM "metrics" ORDER BY time DESC
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['elapsed'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, c0 FROM (WITH base AS (SELECT time, "v" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE), c0 AS (SELECT time, v FROM (SELECT time, (time - pt) // 1000000000 AS v, pt IS NOT NULL AS k FROM (SELECT *, lag(x) OVER (ORDER BY time DESC) AS px, lag(time) OVER (ORDER BY time DESC) AS pt, row_number() OVER (ORDER BY time DESC) AS rn FROM (SELECT time, v AS x FROM (SELECT time, "v" AS v FROM base WHERE "v" IS NOT NULL AND TRUE)))) WHERE k), merged AS (SELECT time, v AS s0 FROM c0), cells AS (SELECT time, s0 AS s0 FROM merged) SELECT time, s0 AS c0 FROM cells) AS r ORDER BY time DESC
