"""Arithmetic and bitwise terms in the WHERE of a SELECT over a subquery,
as influxd 1.6.7 answers them: a comparison of such a term filters each
row, and a term standing alone as a condition keeps the rows where its
value is the boolean ``true`` (a number never is); beside it, OR keeps
nothing unless the term is a boolean. Each test runs on the server and on
the engine (``conn``).
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import statement_values, stored

POINTS = [
    'm,host=a a=5i,b=3i,c=6i,f=1.5,s="x",t=true 1',
    'm,host=a a=2i,b=7i,c=7i,f=2.5,s="y",t=false 2',
    'm,host=b a=7i,b=0i,c=1i,f=3.5,s="z",t=true 3',
    "m,host=b a=4i,c=4i 4",
    "m,host=c b=9i 5",
]
ABC = "(SELECT a, b, c FROM m)"
AT = "(SELECT a, t FROM m)"


@pytest.fixture
def store(conn: str) -> Any:
    return stored(conn, POINTS)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("a & 1 = 1", [[1, 5, 3, 6], [3, 7, 0, 1]]),
        ("a & 1 = 0", [[2, 2, 7, 7], [4, 4, None, 4]]),
        ("a | b = 7", [[1, 5, 3, 6], [2, 2, 7, 7], [3, 7, 0, 1]]),
        ("a ^ b > 3", [[1, 5, 3, 6], [2, 2, 7, 7], [3, 7, 0, 1]]),
        ("a & 1 = b & 1", [[1, 5, 3, 6]]),
        ("1 & a = 1", [[1, 5, 3, 6], [3, 7, 0, 1]]),
        ("a & 1 = 1 OR b ^ a = 1", [[1, 5, 3, 6], [3, 7, 0, 1]]),
        ("a & 1.0 = 1", []),
        ("b ^ c", []),
        ("a & b", []),
        ("a & 1", []),
        ("a + 1", []),
        ("b ^ c AND a = 2", []),
        ("b ^ c OR a = 2", []),
        ("a = 2 OR b ^ c", []),
        ("a & 1 = 1 AND b ^ c", []),
        ("(b ^ c OR a = 2) OR a = 5", [[1, 5, 3, 6]]),
        ("(a = 2 AND b ^ c) OR a = 5", [[1, 5, 3, 6]]),
        ("a = 5 OR (b ^ c AND a = 2)", [[1, 5, 3, 6]]),
        ("time > 2 AND b ^ c", []),
    ],
)
def test_integer_terms(store: Any, condition: str, expected: Any) -> None:
    text = f"SELECT * FROM {ABC} WHERE {condition}"
    assert statement_values(store, text) == expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("t & true = true", [[1, 5, True], [3, 7, True]]),
        ("t | false", [[1, 5, True], [3, 7, True]]),
        ("t & true AND a > 4", [[1, 5, True], [3, 7, True]]),
        ("t | false OR a = 2", [[1, 5, True], [2, 2, False], [3, 7, True]]),
        ("a = 2 OR t | false", [[1, 5, True], [2, 2, False], [3, 7, True]]),
        ("t | false AND time > 1", [[3, 7, True]]),
        ("t", "invalid condition expression: t"),
    ],
)
def test_boolean_terms(store: Any, condition: str, expected: Any) -> None:
    text = f"SELECT * FROM {AT} WHERE {condition}"
    assert statement_values(store, text) == expected


def test_a_float_term_and_a_call_over_the_rows(store: Any) -> None:
    assert (
        statement_values(store, "SELECT * FROM (SELECT a, f FROM m) WHERE f * 2") == []
    )
    text = f"SELECT max(a) FROM {ABC} WHERE a & 4 = 4"
    assert statement_values(store, text) == [[3, 7]]
    text = "SELECT * FROM (SELECT a & b AS x, a FROM m) WHERE x & 1 = 1"
    assert statement_values(store, text) == [[1, 5, 1]]
