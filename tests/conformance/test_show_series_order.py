"""SHOW SERIES lists series in influxd's order where names need escaping.

influxd lists measurements by name, then each one's series by their tags
as written (key, then value, not escaped): ``my m`` before ``my"m``, and
``host=a b`` before ``host=a"b``. The engine sorted the escaped keys, where
``my\\ m`` comes after ``my"m``. Each statement runs on influxd and on the
engine and expects the same rows.
"""

from __future__ import annotations

import pytest

from conformance._common import stored_answer

LINES = [
    "my\\ m,ta\\ g=x\\ y v=1 10",
    "my\\,m,host=a v=1 10",
    'my"m,host="a" v=1 10',
    "my\\\\m,host=a\\\\b v=1 20",
    "m\\=m,host=a v=1 30",
    "my=m,host=a v=1 30",
    "mym,host=a v=1 30",
    "cpu,host=a\\ b v=1 40",
    "cpu,host=a v=1 50",
    "cpu,host=a\\,b v=1 50",
    'cpu,host=a"b v=1 50',
    "cpu,h\\ x=1,host=z v=1 50",
]
STATEMENTS = [
    "SHOW SERIES",
    "SHOW SERIES FROM cpu",
    "SHOW SERIES LIMIT 3 OFFSET 2",
    "SHOW SERIES WHERE host =~ /a/",
    "SHOW MEASUREMENTS",
]


@pytest.mark.parametrize("text", STATEMENTS)
def test_series_in_influxds_order(both: tuple[str, str], text: str) -> None:
    server, engine = (
        stored_answer(alias, "series_order", LINES, text) for alias in both
    )
    assert engine == server
    assert isinstance(server, list)
    assert server
