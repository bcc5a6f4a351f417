"""``SHOW SERIES EXACT`` not followed by ``CARDINALITY`` answers as influxd.

influxd's parser reads ``EXACT`` after ``SHOW SERIES``, and when
``CARDINALITY`` does not follow, drops it and reads the rest as ``SHOW
SERIES``: ``SHOW SERIES EXACT FROM cpu`` lists the series of ``cpu``. The
engine refused every such statement (``found FROM, expected ;``). Each
statement runs on influxd and on the engine and expects the same answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import stored_answer
from influxpy.exceptions import InfluxQLParseError

LINES = ["cpu,host=a v=1 10", "cpu,host=b v=2 20", "mem,host=a v=3 30"]
STATEMENTS = [
    "SHOW SERIES EXACT",
    "SHOW SERIES EXACT FROM cpu",
    "SHOW SERIES EXACT ON series_exact FROM mem",
    "SHOW SERIES EXACT WHERE host = 'b'",
    "SHOW SERIES EXACT LIMIT 1 OFFSET 1",
    "SHOW SERIES EXACT CARDINALITY",
    "SHOW SERIES EXACT CARDINALITY FROM cpu",
    "SHOW SERIES EXACT FROM CARDINALITY",
    "SHOW SERIES EXACT cpu",
    "SHOW SERIES EXACT EXACT",
]


def answer(alias: str, text: str) -> Any:
    """The statement's series or error, or the text's parse error."""
    try:
        return stored_answer(alias, "series_exact", LINES, text)
    except InfluxQLParseError as exc:
        return f"parse error: {exc}"


@pytest.mark.parametrize("text", STATEMENTS)
def test_exact_without_cardinality_is_show_series(
    both: tuple[str, str], text: str
) -> None:
    server, engine = (answer(alias, text) for alias in both)
    assert engine == server
