-- case: raw_missing_table
-- influxql: SELECT * FROM "target"
-- writes: False
-- params: {}
-- meta: {'action': 'empty'}

