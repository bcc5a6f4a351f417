-- case: agg_uncoded_group
-- influxql: SELECT mean("cpu") FROM "servers" GROUP BY "name"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['mean'], 'group_keys': ['name'], 'measurement': 'servers'}
SELECT "
grp_0", time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (WITH base AS (SELECT "name" AS "
grp_0", time, "cpu" FROM "influxpy"."autogen.servers" WHERE TRUE AND TRUE), call_0_rows AS (SELECT "
grp_0", 0 AS time, avg(CAST("cpu" AS DOUBLE)) AS v FROM base WHERE "cpu" IS NOT NULL AND TRUE GROUP BY ALL), merged AS (SELECT "
grp_0", time, v AS "
call_0" FROM call_0_rows), cells AS (SELECT "
grp_0", time, "
call_0" AS "
call_0" FROM merged) SELECT "
grp_0", time, "
call_0" AS "
col_0" FROM cells) AS r ORDER BY "
grp_0" ASC, time ASC
