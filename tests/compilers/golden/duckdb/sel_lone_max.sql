-- case: sel_lone_max
-- influxql: SELECT max("v") FROM "metrics"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['max'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, c0 FROM (WITH base AS (SELECT time, "v" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE), c0 AS (SELECT first(time ORDER BY "v" DESC, time ASC) AS time, max("v") AS v FROM base WHERE "v" IS NOT NULL AND TRUE GROUP BY ALL HAVING count("v") > 0), merged AS (SELECT time, v AS s0 FROM c0), cells AS (SELECT time, s0 AS s0 FROM merged) SELECT time, influxpy_null_nan(s0) AS c0 FROM cells) AS r ORDER BY time ASC
