-- case: count_distinct
-- influxql: SELECT count(distinct("s")) FROM "metrics"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['count'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, c0 FROM (WITH base AS (SELECT time, "s" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE), c0 AS (SELECT 0 AS time, count(DISTINCT "s") AS v FROM base WHERE "s" IS NOT NULL AND TRUE GROUP BY ALL HAVING count("s") > 0), merged AS (SELECT time, v AS s0 FROM c0), cells AS (SELECT time, s0 AS s0 FROM merged) SELECT time, s0 AS c0 FROM cells) AS r ORDER BY time ASC
