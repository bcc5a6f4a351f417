-- case: bottom_window
-- influxql: SELECT bottom("n", 2) FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z' GROUP BY time(1h)
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['bottom'], 'group_keys': [], 'heap': None, 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0" FROM (SELECT "
influxpy_p".t AS time, w, "
influxpy_p".v AS x, "
influxpy_p".v AS "
col_0" FROM (SELECT w, unnest(min_by(struct_pack(t := time, v := x), struct_pack(k0 := x, k1 := time), 2)) AS "
influxpy_p" FROM (SELECT time, "n" AS x, time - (time) % 3600000000000 AS w FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1577923199999999999 AND "n" IS NOT NULL) GROUP BY w)) AS r ORDER BY w ASC, time ASC, x ASC
