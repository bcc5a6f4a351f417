-- case: integral
-- influxql: SELECT integral("v") FROM "metrics"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['integral'], 'group_keys': [], 'heap': None, 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (WITH base AS NOT MATERIALIZED (SELECT time, concat_ws(',', CASE WHEN "dc" <> '' THEN 'dc=' || "dc" END, CASE WHEN "host" <> '' THEN 'host=' || "host" END) AS "
influxpy_tie", "v" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE), call_0_rows AS (SELECT 0 AS time, list_transform([list(struct_pack(t := time, v := CAST("v" AS DOUBLE)) ORDER BY time ASC, "
influxpy_tie" ASC)], lambda influxpy_p: list_reduce(list_transform(range(1, len(influxpy_p)), lambda influxpy_i: 0.5 * (influxpy_p[influxpy_i + 1].v + influxpy_p[influxpy_i].v) * (CAST(influxpy_p[influxpy_i + 1].t - influxpy_p[influxpy_i].t AS DOUBLE) / 1000000000.0)), lambda influxpy_a, influxpy_b: influxpy_a + influxpy_b, 0.0))[1] AS v FROM base WHERE "v" IS NOT NULL AND TRUE GROUP BY ALL HAVING count("v") > 0 AND max(time) != 0), merged AS (SELECT time, v AS "
call_0" FROM call_0_rows), cells AS (SELECT time, "
call_0" AS "
call_0" FROM merged) SELECT time, "
call_0" AS "
col_0" FROM cells) AS r ORDER BY time ASC
