-- case: delete
-- influxql: DELETE FROM "metrics" WHERE "host" = 'a' AND time < '2020-01-01T00:00:00Z'
-- writes: True
-- params: {'p0': 'a'}
-- meta: {'action': 'delete'}
DELETE FROM "influxpy"."autogen.metrics" WHERE ("host" = $p0 AND time < 1577836800000000000)
