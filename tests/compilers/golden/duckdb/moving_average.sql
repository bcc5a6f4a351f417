-- case: moving_average
-- influxql: SELECT moving_average("v", 3) FROM "metrics"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['moving_average'], 'group_keys': [], 'heap': None, 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (WITH base AS NOT MATERIALIZED (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE), call_0_rows AS (SELECT time, coalesce(v, 'NaN'::DOUBLE) AS v FROM (SELECT unnest(influxpy_ts) AS time, unnest(influxpy_vs) AS v, unnest(range(1, len(influxpy_ts) + 1)) AS influxpy_rn FROM (SELECT list(time ORDER BY time ASC, v) AS influxpy_ts, influxpy_moving_average(list(CAST(v AS DOUBLE) ORDER BY time ASC, v), 3) AS influxpy_vs FROM (SELECT time, "v" AS v FROM base WHERE "v" IS NOT NULL AND TRUE))) WHERE influxpy_rn >= 3), merged AS (SELECT time, v AS "
call_0" FROM call_0_rows), cells AS (SELECT time, "
call_0" AS "
call_0" FROM merged) SELECT time, "
call_0" AS "
col_0" FROM cells) AS r ORDER BY time ASC
