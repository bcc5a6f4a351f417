"""Time compared inside OR in the WHERE of a SELECT, as influxd 1.6.7
reads it in InfluxQL text.

influxd takes every comparison of ``time`` out of the condition, under OR
as under AND, and intersects them into one time range; what is left of the
condition filters the points inside it. ``time > 2 OR a = 4`` keeps the
points after 2 where ``a`` is 4; ``time > 3 OR time < 2`` keeps none. So
it is over a subquery (no plain row filter of time) and over stored
measurements alike. Each test runs on the server and on the engine
(``conn``).
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import statement_values, stored

POINTS = [
    "m,host=a a=5i,b=3i,t=true 1",
    "m,host=a a=2i,b=7i,t=false 2",
    "m,host=b a=7i,b=0i,t=true 3",
    "m,host=b a=4i 4",
    "m,host=c b=9i 5",
]


@pytest.fixture
def store(conn: str) -> Any:
    return stored(conn, POINTS)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("time > 2 OR a = 4", [[4, 4]]),
        ("a = 4 OR time > 2", [[4, 4]]),
        ("time > 3 OR time < 2", []),
        ("time >= 3 OR time <= 1", []),
        ("time = 2 OR time = 4", []),
        ("time > 2 OR time > 3", [[4, 4]]),
        ("(time > 3 OR time < 2) AND time > 1", []),
        ("(time > 3 OR a = 2) AND time < 4", []),
        ("a = 5 OR (time > 1 AND a = 2)", [[2, 2]]),
        ("a = 4 OR (time > 1 AND a = 2)", [[2, 2], [4, 4]]),
        ("(time > 3 AND a = 4) OR (time < 2 AND a = 5)", []),
        ("time > 2 OR true", [[3, 7], [4, 4]]),
        ("time > 2 OR false", []),
        ("time > now() - 1h OR a = 4", []),
        ("host = 'b' OR time > 3", []),
    ],
)
def test_over_a_subquery(store: Any, condition: str, expected: Any) -> None:
    text = f"SELECT * FROM (SELECT a FROM m) WHERE {condition}"
    assert statement_values(store, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * FROM (SELECT a FROM m) WHERE time > 1 OR a = 4 LIMIT 1", [[4, 4]]),
        (
            (
                "SELECT * FROM (SELECT a FROM m) WHERE time > 1 OR a = 7 "
                "ORDER BY time DESC"
            ),
            [[3, 7]],
        ),
        ("SELECT * FROM (SELECT a FROM m WHERE time > 2 OR a = 2)", []),
        ("SELECT * FROM (SELECT a FROM m WHERE time > 1) WHERE time > 3 OR a = 2", []),
        ("SELECT max(a) FROM (SELECT a FROM m) WHERE time > 2 OR a = 5", []),
        (
            (
                "SELECT count(a) FROM (SELECT a FROM m) WHERE time >= 2 OR a = 7 "
                "AND time < 5 GROUP BY time(2ns)"
            ),
            [[2, 1], [4, 0]],
        ),
        (
            (
                "SELECT * FROM (SELECT max(a) FROM m GROUP BY host) WHERE time > 2 "
                "OR max = 5"
            ),
            [],
        ),
        (
            "SELECT * FROM (SELECT t, a FROM m) WHERE t ^ true OR time > 1",
            [[2, 2, False], [4, 4, None]],
        ),
        ("SELECT * FROM (SELECT a, b FROM m) WHERE b ^ a = 0 OR time > 2", []),
    ],
)
def test_subqueries_and_calls(store: Any, text: str, expected: Any) -> None:
    assert statement_values(store, text) == expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("time > 2 OR a = 4", [[4, 4]]),
        ("2 < time OR a = 4", [[4, 4]]),
        ("time > 3 OR time < 2", []),
        ("a = 5 OR (time > 1 AND a = 2)", [[2, 2]]),
        ("host = 'b' OR time > 3", [[4, 4]]),
        ("time > '1970-01-01T00:00:00.000000002Z' OR a = 4", [[4, 4]]),
    ],
)
def test_over_stored_points(store: Any, condition: str, expected: Any) -> None:
    assert statement_values(store, f"SELECT a FROM m WHERE {condition}") == expected


def test_a_bare_term_beside_time_in_or_over_stored_points(store: Any) -> None:
    """influxd's storage keeps every point for the bare term, inside the
    time range taken out of the OR."""
    text = "SELECT a, b FROM m WHERE b ^ a OR time > 2"
    assert statement_values(store, text) == [[3, 7, 0], [4, 4, None], [5, None, 9]]
