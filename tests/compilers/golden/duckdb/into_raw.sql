-- case: into_raw
-- influxql: SELECT "v" INTO "target" FROM "metrics" GROUP BY *
-- writes: True
-- params: {}
-- meta: {'action': 'into', 'columns': ['v'], 'database': None, 'group_keys': ['dc', 'host'], 'kinds': ['float'], 'measurement': 'target', 'retention_policy': None, 'tag_columns': []}
SELECT "
grp_0", "
grp_1", time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (SELECT "dc" AS "
grp_0", "host" AS "
grp_1", time, 0 AS "
influxpy_tie", "v" AS "
col_0" FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)) AS r ORDER BY "
grp_0" ASC, "
grp_1" ASC, time ASC, "
influxpy_tie" ASC
