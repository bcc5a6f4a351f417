-- case: subquery_paged
-- influxql: SELECT sum("v") FROM (SELECT "v" FROM "metrics" LIMIT 2)
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['sum'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, c0 FROM (WITH base AS (SELECT time, "v" FROM (SELECT time, c0 AS "v" FROM (SELECT time, c0 FROM (SELECT time, concat_ws(',', "dc", "host") AS influxpy_tie, "v" AS c0 FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)) AS r QUALIFY row_number() OVER (ORDER BY time ASC, influxpy_tie ASC) >= 1 AND row_number() OVER (ORDER BY time ASC, influxpy_tie ASC) < 3 ORDER BY time ASC, influxpy_tie ASC)) WHERE TRUE AND TRUE), c0 AS (SELECT 0 AS time, CAST(sum("v") AS DOUBLE) AS v FROM base WHERE "v" IS NOT NULL AND TRUE GROUP BY ALL HAVING count("v") > 0), merged AS (SELECT time, v AS s0 FROM c0), cells AS (SELECT time, s0 AS s0 FROM merged) SELECT time, influxpy_null_nan(s0) AS c0 FROM cells) AS r ORDER BY time ASC
