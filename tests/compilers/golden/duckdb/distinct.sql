-- case: distinct
-- influxql: SELECT distinct("s") FROM "metrics" GROUP BY "host"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['distinct'], 'group_keys': ['host'], 'measurement': 'metrics'}
SELECT g0, time, c0 FROM (SELECT g0, 0 AS time, w, influxpy_seen, x AS c0 FROM (SELECT g0, w, x, min(time) AS influxpy_seen FROM (SELECT "host" AS g0, time, "s" AS x, 0 AS w FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND "s" IS NOT NULL) GROUP BY g0, w, x)) AS r ORDER BY g0 ASC, w ASC, influxpy_seen ASC, c0 ASC
