-- case: top_tags
-- influxql: SELECT top("v", "host", 2) FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z' GROUP BY time(6h)
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['top', 'host'], 'group_keys': [], 'measurement': 'metrics'}
SELECT time, c0, c1 FROM (SELECT q.t AS time, w, q.v AS c0, NULLIF(q.k0, '') AS c1 FROM (SELECT w, unnest(max_by(p, struct_pack(a := p.v, b := -p.t), 2)) AS q FROM (SELECT w, max_by(struct_pack(t := time, v := x, k0 := k0), struct_pack(a := x, b := -time)) AS p FROM (SELECT time, "host" AS k0, "v" AS x, time - (time) % 21600000000000 AS w FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1577923199999999999 AND "v" IS NOT NULL) GROUP BY w, k0) GROUP BY w)) AS r ORDER BY w ASC, time ASC, c0 DESC
