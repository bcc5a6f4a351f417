-- case: subquery_math
-- influxql: SELECT sum("x") FROM (SELECT ("v" * 2) + 1 AS "x" FROM "metrics")
-- writes: False
-- params: {'p0': 2, 'p1': 1}
-- meta: {'action': 'select', 'columns': ['sum'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, c0 FROM (WITH base AS (SELECT time, "x" FROM (SELECT time, c0 AS "x" FROM (SELECT time, c0 FROM (SELECT time, concat_ws(',', "dc", "host") AS influxpy_tie, (CAST((CAST("v" AS DOUBLE) * CAST(CAST($p0 AS BIGINT) AS DOUBLE)) AS DOUBLE) + CAST(CAST($p1 AS BIGINT) AS DOUBLE)) AS c0 FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)) AS r ORDER BY time ASC, influxpy_tie ASC)) WHERE TRUE AND TRUE), c0 AS (SELECT 0 AS time, CAST(sum("x") AS DOUBLE) AS v FROM base WHERE "x" IS NOT NULL AND TRUE GROUP BY ALL HAVING count("x") > 0), merged AS (SELECT time, v AS s0 FROM c0), cells AS (SELECT time, s0 AS s0 FROM merged) SELECT time, influxpy_null_nan(s0) AS c0 FROM cells) AS r ORDER BY time ASC
