-- case: distinct
-- influxql: SELECT distinct("s") FROM "metrics" GROUP BY "host"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['distinct'], 'group_keys': ['host'], 'heap': None, 'measurement': 'metrics'}
SELECT "
grp_0", time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (SELECT "
grp_0", 0 AS time, w, "
influxpy_seen", x, x AS "
col_0" FROM (SELECT "
grp_0", w, x, min(time) AS "
influxpy_seen" FROM (SELECT "host" AS "
grp_0", time, "s" AS x, 0 AS w FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND "s" IS NOT NULL) GROUP BY "
grp_0", w, x)) AS r ORDER BY "
grp_0" ASC, w ASC, "
influxpy_seen" ASC, x ASC
