-- case: top
-- influxql: SELECT top("v", 3) FROM "metrics"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['top'], 'group_keys': [], 'heap': None, 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (SELECT time, 0 AS w, x, x AS "
col_0" FROM (SELECT * FROM (SELECT time, "v" AS x, 0 AS w FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND "v" IS NOT NULL AND "v" >= $bound0_best) ORDER BY x DESC, time ASC LIMIT 3)) AS r ORDER BY w ASC, time ASC, x DESC
-- run first, binding bound0_best:
-- params: {}
-- values: _nth_best({'missing': -inf, 'n': 3})
SELECT max("v", 3) FROM "influxpy"."autogen.metrics" TABLESAMPLE 1% (system) WHERE TRUE AND TRUE AND "v" IS NOT NULL
