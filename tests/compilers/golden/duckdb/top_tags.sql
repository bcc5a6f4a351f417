-- case: top_tags
-- influxql: SELECT top("v", "host", 2) FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z' GROUP BY time(6h)
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['top', 'host'], 'group_keys': [], 'heap': None, 'measurement': 'metrics'}
SELECT time, CASE WHEN typeof("
col_0") = 'DOUBLE' AND isnan(TRY_CAST("
col_0" AS DOUBLE)) THEN NULL ELSE "
col_0" END AS "
col_0", CASE WHEN typeof("
col_1") = 'DOUBLE' AND isnan(TRY_CAST("
col_1" AS DOUBLE)) THEN NULL ELSE "
col_1" END AS "
col_1" FROM (SELECT q.t AS time, w, q.v AS "
col_0", q."
tag_0" AS "
col_1" FROM (SELECT w, unnest(max_by(p, struct_pack(a := p.v, b := -p.t), 2)) AS q FROM (SELECT w, max_by(struct_pack(t := time, v := x, "
tag_0" := "
tag_0"), struct_pack(a := x, b := -time)) AS p FROM (SELECT time, NULLIF("host", '') AS "
tag_0", COALESCE("host", '') AS "
tag_key_0", "v" AS x, time - (time) % 21600000000000 AS w FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1577923199999999999 AND "v" IS NOT NULL) GROUP BY w, "
tag_key_0") GROUP BY w)) AS r ORDER BY w ASC, time ASC, "
col_0" DESC
