-- case: sel_lone_max_with_fields
-- influxql: SELECT max("v"), "n", "host" FROM "metrics"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['max', 'n', 'host'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, col_0, col_1, col_2 FROM (WITH base AS (SELECT time, "v", "n" AS aux_0, NULLIF("host", '') AS aux_1 FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE), call_0_rows AS (SELECT first(time ORDER BY "v" DESC, time ASC) AS time, max("v") AS v, first(aux_0 ORDER BY "v" DESC, time ASC) AS aux_0, first(aux_1 ORDER BY "v" DESC, time ASC) AS aux_1 FROM base WHERE "v" IS NOT NULL AND TRUE GROUP BY ALL HAVING count("v") > 0), merged AS (SELECT time, v AS call_0, aux_0, aux_1 FROM call_0_rows), cells AS (SELECT time, call_0 AS call_0, aux_0 AS aux_0, aux_1 AS aux_1 FROM merged) SELECT time, influxpy_null_nan(call_0) AS col_0, aux_0 AS col_1, aux_1 AS col_2 FROM cells) AS r ORDER BY time ASC
