-- case: agg_group_tags
-- influxql: SELECT mean("v") FROM "metrics" WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-02T00:00:00Z' GROUP BY "host", "dc"
-- writes: False
-- params: {}
-- meta: {'action': 'select', 'columns': ['mean'], 'group_keys': ['dc', 'host'], 'measurement': 'metrics'}
SELECT grp_0, grp_1, time, col_0 FROM (WITH base AS (SELECT "dc" AS grp_0, "host" AS grp_1, "
code:dc" AS grp_code_0, "
code:host" AS grp_code_1, time, "v" FROM "influxpy"."autogen.metrics" WHERE (TRUE AND TRUE) AND time >= 1577836800000000000 AND time <= 1577923199999999999), call_0_rows AS (SELECT codes_0.value AS grp_0, codes_1.value AS grp_1, r.time, r.v FROM (SELECT grp_code_0, grp_code_1, 1577836800000000000 AS time, avg(CAST("v" AS DOUBLE)) AS v FROM base WHERE "v" IS NOT NULL AND time >= 1577836800000000000 AND time <= 1577923199999999999 GROUP BY ALL) AS r JOIN main.influxpy_tag_codes codes_0 ON r.grp_code_0 = codes_0.code JOIN main.influxpy_tag_codes codes_1 ON r.grp_code_1 = codes_1.code), merged AS (SELECT grp_0, grp_1, time, v AS call_0 FROM call_0_rows), cells AS (SELECT grp_0, grp_1, time, call_0 AS call_0 FROM merged) SELECT grp_0, grp_1, time, influxpy_null_nan(call_0) AS col_0 FROM cells) AS r ORDER BY grp_0 ASC, grp_1 ASC, time ASC
