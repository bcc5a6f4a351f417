"""A field key stored with different types by the measurements one query
reads is read as one type in all of them, as influxd reads it.

``Shards.FieldDimensions`` keeps the lowest of the types (float, integer,
string, boolean, in InfluxQL's ``DataType`` order), and every measurement
reads the key as that type: an integer field as floats, any other pair
nothing (as ``v::float`` reads a string field). The engine read each
measurement's own type: ``SELECT v FROM /.*/`` listed a measurement's
strings beside another's floats, and ``mean(v)`` failed converting a
string. Each statement runs on influxd and on the engine and expects the
same answer.
"""

from __future__ import annotations

import pytest

from conformance._common import stored_answer

#: ``v`` is a float in a, a string in b, an integer in c and e, a boolean
#: in d.
LINES = [
    "a,host=x v=1.5 10",
    "a,host=y v=2.5 25",
    'b,host=x v="str" 10',
    "c,host=x v=3i 10",
    "c,host=x v=5i 30",
    "d,host=x v=true 10",
    "e,host=x v=7i,w=1 20",
]
RANGE = "WHERE time >= 0 AND time < 40"
STATEMENTS = [
    "SELECT * FROM /.*/",
    "SELECT v FROM /.*/",
    "SELECT v FROM b, c",
    "SELECT v FROM c, d",
    "SELECT v FROM b, d",
    "SELECT * FROM c, e",
    "SELECT v, w FROM b, e",
    "SELECT count(v) FROM /.*/",
    "SELECT max(v) FROM /.*/",
    "SELECT first(v) FROM /.*/",
    "SELECT v FROM /.*/ WHERE v = 'str'",
    "SELECT v FROM /.*/ WHERE v > 1",
    "SELECT v::string FROM /.*/",
    "SELECT v::integer FROM /.*/",
    "SELECT v::float FROM /.*/",
    "SELECT v::boolean FROM /.*/",
    "SELECT mean(v) FROM /.*/",
    "SELECT count(*) FROM /.*/",
    "SHOW FIELD KEYS",
    f"SELECT sum(v) FROM /.*/ {RANGE} GROUP BY time(20ns) fill(0)",
    f"SELECT count(v) FROM /.*/ {RANGE} GROUP BY time(20ns) fill(none)",
    f"SELECT mean(v) FROM /.*/ {RANGE} GROUP BY time(20ns), host fill(null)",
    f"SELECT last(v) FROM /.*/ {RANGE} GROUP BY time(20ns) fill(previous)",
    "SELECT top(v, 1) FROM /.*/",
    "SELECT percentile(v, 50) FROM /.*/",
    "SELECT spread(v), stddev(v) FROM /.*/",
    "SELECT v + 1 FROM /.*/",
    "SELECT v, w FROM /.*/",
    "SELECT difference(v) FROM /.*/",
    "SELECT max(v) FROM (SELECT v FROM /.*/)",
    "SELECT v FROM c, e",
    "SELECT sum(v) FROM c, e",
    "SELECT distinct(v) FROM /.*/",
    "SELECT count(distinct(v)) FROM /.*/",
    "SELECT * FROM /.*/ WHERE v =~ /s/",
    "SELECT mode(v) FROM /.*/",
    "SELECT median(v) FROM b, d",
]


@pytest.mark.parametrize("text", STATEMENTS)
def test_a_key_is_read_as_one_type_in_every_measurement(
    both: tuple[str, str], text: str
) -> None:
    server, engine = (
        stored_answer(alias, "field_types", LINES, text) for alias in both
    )
    assert engine == server
