-- case: ta_ema
-- influxql: SELECT exponential_moving_average("v", 3) FROM "metrics"
-- writes: False
-- params: {'p0': 'exponential_moving_average', 'p1': 'exponential'}
-- meta: {'action': 'select', 'columns': ['exponential_moving_average'], 'group_keys': [], 'heap': None, 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (WITH base AS NOT MATERIALIZED (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE), call_0_rows AS (SELECT p.t AS time, coalesce(p.v, 'NaN'::DOUBLE) AS v FROM (SELECT unnest(influxpy_technical($p0, list(time ORDER BY time ASC, v), list(CAST(v AS DOUBLE) ORDER BY time ASC, v), 3, -1, $p1)) AS p FROM (SELECT time, "v" AS v FROM base WHERE "v" IS NOT NULL AND TRUE))), merged AS (SELECT time, v AS "
call_0" FROM call_0_rows), cells AS (SELECT time, "
call_0" AS "
call_0" FROM merged) SELECT time, "
call_0" AS "
col_0" FROM cells) AS r ORDER BY time ASC
