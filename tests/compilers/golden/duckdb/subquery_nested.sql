-- case: subquery_nested
-- influxql: SELECT count("v") FROM (SELECT "v" FROM (SELECT "v" FROM "metrics"))
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['count'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, c0 FROM (WITH base AS (SELECT time, "v" FROM (SELECT time, c0 AS "v" FROM (SELECT time, c0 FROM (SELECT time, 0 AS influxpy_tie, "v" AS c0 FROM (SELECT time, c0 AS "v" FROM (SELECT time, c0 FROM (SELECT time, concat_ws(',', "dc", "host") AS influxpy_tie, "v" AS c0 FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)) AS r ORDER BY time ASC, influxpy_tie ASC)) WHERE TRUE AND TRUE AND (TRUE)) AS r ORDER BY time ASC, influxpy_tie ASC)) WHERE TRUE AND TRUE), c0 AS (SELECT 0 AS time, count("v") AS v FROM base WHERE "v" IS NOT NULL AND TRUE GROUP BY ALL HAVING count("v") > 0), merged AS (SELECT time, v AS s0 FROM c0), cells AS (SELECT time, s0 AS s0 FROM merged) SELECT time, s0 AS c0 FROM cells) AS r ORDER BY time ASC
