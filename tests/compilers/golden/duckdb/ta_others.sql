-- case: ta_others
-- influxql: SELECT triple_exponential_moving_average("v", 3), triple_exponential_derivative("v", 3), relative_strength_index("v", 3), chande_momentum_oscillator("v", 3), kaufmans_efficiency_ratio("v", 3), kaufmans_adaptive_moving_average("v", 3) FROM "metrics"
-- writes: False
-- params: {'p0': 'triple_exponential_moving_average',
 'p1': 'exponential',
 'p10': 'kaufmans_adaptive_moving_average',
 'p11': 'exponential',
 'p2': 'triple_exponential_derivative',
 'p3': 'exponential',
 'p4': 'relative_strength_index',
 'p5': 'exponential',
 'p6': 'chande_momentum_oscillator',
 'p7': 'none',
 'p8': 'kaufmans_efficiency_ratio',
 'p9': 'exponential'}
-- meta: {'action': 'select',
 'columns': ['triple_exponential_moving_average',
             'triple_exponential_derivative',
             'relative_strength_index',
             'chande_momentum_oscillator',
             'kaufmans_efficiency_ratio',
             'kaufmans_adaptive_moving_average'],
 'group_keys': [],
 'heap': None,
 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0", CASE WHEN typeof("
col_1") = 'DOUBLE' AND isnan(TRY_CAST("
col_1" AS DOUBLE)) THEN NULL ELSE "
col_1" END AS "
col_1", CASE WHEN typeof("
col_2") = 'DOUBLE' AND isnan(TRY_CAST("
col_2" AS DOUBLE)) THEN NULL ELSE "
col_2" END AS "
col_2", CASE WHEN typeof("
col_3") = 'DOUBLE' AND isnan(TRY_CAST("
col_3" AS DOUBLE)) THEN NULL ELSE "
col_3" END AS "
col_3", CASE WHEN typeof("
col_4") = 'DOUBLE' AND isnan(TRY_CAST("
col_4" AS DOUBLE)) THEN NULL ELSE "
col_4" END AS "
col_4", CASE WHEN typeof("
col_5") = 'DOUBLE' AND isnan(TRY_CAST("
col_5" AS DOUBLE)) THEN NULL ELSE "
col_5" END AS "
col_5" FROM (WITH base AS NOT MATERIALIZED (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE), call_0_rows AS (SELECT p.t AS time, coalesce(p.v, 'NaN'::DOUBLE) AS v FROM (SELECT unnest(influxpy_technical($p0, list(time ORDER BY time ASC, v), list(CAST(v AS DOUBLE) ORDER BY time ASC, v), 3, -1, $p1)) AS p FROM (SELECT time, "v" AS v FROM base WHERE "v" IS NOT NULL AND TRUE))), call_1_rows AS (SELECT p.t AS time, coalesce(p.v, 'NaN'::DOUBLE) AS v FROM (SELECT unnest(influxpy_technical($p2, list(time ORDER BY time ASC, v), list(CAST(v AS DOUBLE) ORDER BY time ASC, v), 3, -1, $p3)) AS p FROM (SELECT time, "v" AS v FROM base WHERE "v" IS NOT NULL AND TRUE))), call_2_rows AS (SELECT p.t AS time, coalesce(p.v, 'NaN'::DOUBLE) AS v FROM (SELECT unnest(influxpy_technical($p4, list(time ORDER BY time ASC, v), list(CAST(v AS DOUBLE) ORDER BY time ASC, v), 3, -1, $p5)) AS p FROM (SELECT time, "v" AS v FROM base WHERE "v" IS NOT NULL AND TRUE))), call_3_rows AS (SELECT p.t AS time, coalesce(p.v, 'NaN'::DOUBLE) AS v FROM (SELECT unnest(influxpy_technical($p6, list(time ORDER BY time ASC, v), list(CAST(v AS DOUBLE) ORDER BY time ASC, v), 3, -1, $p7)) AS p FROM (SELECT time, "v" AS v FROM base WHERE "v" IS NOT NULL AND TRUE))), call_4_rows AS (SELECT p.t AS time, coalesce(p.v, 'NaN'::DOUBLE) AS v FROM (SELECT unnest(influxpy_technical($p8, list(time ORDER BY time ASC, v), list(CAST(v AS DOUBLE) ORDER BY time ASC, v), 3, -1, $p9)) AS p FROM (SELECT time, "v" AS v FROM base WHERE "v" IS NOT NULL AND TRUE))), call_5_rows AS (SELECT p.t AS time, coalesce(p.v, 'NaN'::DOUBLE) AS v FROM (SELECT unnest(influxpy_technical($p10, list(time ORDER BY time ASC, v), list(CAST(v AS DOUBLE) ORDER BY time ASC, v), 3, -1, $p11)) AS p FROM (SELECT time, "v" AS v FROM base WHERE "v" IS NOT NULL AND TRUE))), merged AS (SELECT time, "
call_0", "
call_1", "
call_2", "
call_3", "
call_4", "
call_5" FROM (SELECT time FROM call_0_rows UNION SELECT time FROM call_1_rows UNION SELECT time FROM call_2_rows UNION SELECT time FROM call_3_rows UNION SELECT time FROM call_4_rows UNION SELECT time FROM call_5_rows) AS keys LEFT JOIN (SELECT time, v AS "
call_0" FROM call_0_rows) AS call_0_join USING (time) LEFT JOIN (SELECT time, v AS "
call_1" FROM call_1_rows) AS call_1_join USING (time) LEFT JOIN (SELECT time, v AS "
call_2" FROM call_2_rows) AS call_2_join USING (time) LEFT JOIN (SELECT time, v AS "
call_3" FROM call_3_rows) AS call_3_join USING (time) LEFT JOIN (SELECT time, v AS "
call_4" FROM call_4_rows) AS call_4_join USING (time) LEFT JOIN (SELECT time, v AS "
call_5" FROM call_5_rows) AS call_5_join USING (time)), cells AS (SELECT time, "
call_0" AS "
call_0", "
call_1" AS "
call_1", "
call_2" AS "
call_2", "
call_3" AS "
call_3", "
call_4" AS "
call_4", "
call_5" AS "
call_5" FROM merged) SELECT time, "
call_0" AS "
col_0", "
call_1" AS "
col_1", "
call_2" AS "
col_2", "
call_3" AS "
col_3", "
call_4" AS "
col_4", "
call_5" AS "
col_5" FROM cells) AS r ORDER BY time ASC
