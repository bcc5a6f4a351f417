-- case: into_raw
-- influxql: SELECT "v" INTO "target" FROM "metrics" GROUP BY *
-- writes: True
-- params: {}
-- meta: {'action': 'into', 'columns': ['v'], 'database': None, 'group_keys': ['dc', 'host'], 'kinds': ['float'], 'measurement': 'target', 'retention_policy': None}
SELECT g0, g1, time, c0 FROM (SELECT "dc" AS g0, "host" AS g1, time, 0 AS influxpy_tie, "v" AS c0 FROM "influxpy"."autogen.metrics" WHERE TRUE AND TRUE AND ("v" IS NOT NULL)) AS r ORDER BY g0 ASC, g1 ASC, time ASC, influxpy_tie ASC
