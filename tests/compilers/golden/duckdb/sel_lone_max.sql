-- case: sel_lone_max
-- influxql: SELECT max("v") FROM "metrics"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['max'], 'group_keys': [], 'heap': None, 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (WITH base AS NOT MATERIALIZED (SELECT time, "v" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE), call_0_rows AS (SELECT first(time ORDER BY "v" DESC, time ASC) AS time, max("v") AS v FROM base WHERE "v" IS NOT NULL AND TRUE GROUP BY ALL HAVING count("v") > 0), merged AS (SELECT time, v AS "
call_0" FROM call_0_rows), cells AS (SELECT time, "
call_0" AS "
call_0" FROM merged) SELECT time, "
call_0" AS "
col_0" FROM cells) AS r ORDER BY time ASC
