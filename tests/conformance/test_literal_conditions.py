"""``WHERE true``, ``WHERE false`` and bare names or numbers as conditions,
as influxd 1.6.7 reads them: a boolean literal keeps every point or none
(folded into AND and OR), a name or a number alone is refused with the
server's text. Each test runs on the server and on the engine (``conn``).
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import statement_values, stored

POINTS = ["m,host=a v=3 1", "m,host=a v=1 2", "m,host=b v=3 3", "m,host=b v=7 51"]
ALL = [[1, "a", 3.0], [2, "a", 1.0], [3, "b", 3.0], [51, "b", 7.0]]


@pytest.fixture
def store(conn: str) -> Any:
    return stored(conn, POINTS)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("true", ALL),
        ("(true)", ALL),
        ("false", []),
        ("v > 2 OR false", [ALL[0], ALL[2], ALL[3]]),
        ("v > 2 AND true", [ALL[0], ALL[2], ALL[3]]),
        ("v > 2 OR true", ALL),
        ("false OR host = 'a'", ALL[:2]),
        ("time < 100 AND false", []),
        ("5", "invalid condition expression: 5"),
        ("v", "invalid condition expression: v"),
    ],
)
def test_a_literal_condition(store: Any, condition: str, expected: Any) -> None:
    assert statement_values(store, f"SELECT * FROM m WHERE {condition}") == expected


def test_a_count_and_the_show_statements_read_true_as_no_condition(
    store: Any,
) -> None:
    text = "SELECT count(v) FROM m WHERE true AND time < 100"
    assert statement_values(store, text) == [[0, 4]]
    shown = statement_values(store, "SHOW TAG VALUES WITH KEY = host WHERE true")
    assert shown == [["host", "a"], ["host", "b"]]


def test_deleting_where_false_deletes_nothing(store: Any) -> None:
    assert statement_values(store, "DELETE FROM m WHERE false") == []
    assert statement_values(store, "SELECT * FROM m") == ALL
