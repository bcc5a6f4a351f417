-- case: sample
-- influxql: SELECT sample("v", 2) FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z'
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['sample'], 'group_keys': [], 'heap': None, 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (SELECT time, w, x AS "
col_0" FROM (SELECT *, random() AS "
influxpy_r" FROM (SELECT time, "v" AS x, 0 AS w FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1577923199999999999 AND "v" IS NOT NULL)) QUALIFY row_number() OVER (PARTITION BY w ORDER BY "
influxpy_r") <= 2) AS r ORDER BY w ASC, time ASC
