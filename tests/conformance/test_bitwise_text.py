"""``&``, ``|``, ``^`` (and arithmetic) of literals and in WHERE, in text.

influxd folds two literals of the select list first (integers by every
operator, numbers by arithmetic, booleans by ``&``, ``|``, ``^``, strings
by ``+``): a field left without a field, tag or call is refused (``field
must contain at least one variable``), two literals it cannot fold too
(``cannot perform a binary expression on two literals``). In a WHERE over
stored measurements, a term that is arithmetic or bitwise of fields or tags
rather than a comparison (``WHERE b ^ c``) keeps every point, whatever its
value. Each case runs on the server and the engine and expects the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import influxpy
from influxpy.exceptions import ProgrammingError

LINES = [
    'bits,t=a i=5i,j=3i,f=2.5,b=true,c=false,s="abc" 1000000000',
    'bits,t=a i=6i,j=10i,f=-1.5,b=false,c=false,s="x" 2000000000',
    "bits,t=b i=-7i,f=4.0,b=true,c=true 3000000000",
    "bits,t=b j=12i,c=true 4000000000",
]
S = 1_000_000_000
Rows = list[tuple[str, dict[str, str], Any]]


@pytest.fixture
def stores(both: tuple[str, str]) -> Iterator[list[Any]]:
    backends = [influxpy.get_connection(alias) for alias in both]
    for backend in backends:
        backend.create_database("bitwise_text")
        backend.write_lines(LINES, database="bitwise_text")
    yield backends
    for backend in backends:
        backend.drop_database("bitwise_text")


def rows(backend: Any, text: str) -> Rows:
    results = backend.query(text, database="bitwise_text", epoch="ns")
    return [(r.name, r.tags, r.points) for r in results]


def same(stores: list[Any], text: str) -> Rows:
    server, engine = (rows(backend, text) for backend in stores)
    assert engine == server
    return server


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("SELECT 5 & 3, i FROM bits", "field must contain at least one variable"),
        ("SELECT 5 ^ 3 FROM bits", "field must contain at least one variable"),
        ("SELECT true | false, i FROM bits", "field must contain at least one"),
        ("SELECT 1 + 2, i FROM bits", "field must contain at least one variable"),
        ("SELECT 'a' + 'b', i FROM bits", "field must contain at least one"),
        ("SELECT 5.0 & 3, i FROM bits", "binary expression on two literals"),
        ("SELECT true & 5, i FROM bits", "binary expression on two literals"),
        ("SELECT 5 | true, i FROM bits", "binary expression on two literals"),
        ("SELECT i + (5.5 ^ 3.5) FROM bits", "binary expression on two literals"),
        ("SELECT true + 1, i FROM bits", "binary expression on two literals"),
    ],
)
def test_literals_in_the_select_list(stores: list[Any], text: str, reason: str) -> None:
    for backend in stores:
        with pytest.raises(ProgrammingError, match=reason):
            rows(backend, text)


def test_folded_literals_beside_a_field(stores: list[Any]) -> None:
    answer = same(stores, "SELECT (5 & 3) + i FROM bits")
    assert [p["i"] for p in answer[0][2]] == [6, 7, -6]
    same(stores, "SELECT b ^ (true | false), b ^ (1 & 1) FROM bits")


def test_a_bitwise_condition_keeps_every_point(stores: list[Any]) -> None:
    answer = same(stores, "SELECT i FROM bits WHERE b ^ c")
    # b ^ c is false at 2s and 3s: kept all the same.
    assert [p["time"] for p in answer[0][2]] == [1 * S, 2 * S, 3 * S]
    for condition in ("b & c", "(b | c)", "i & 1", "b ^ true", "t ^ b", "f + 1"):
        same(stores, f"SELECT i FROM bits WHERE {condition}")
    same(stores, "SELECT * FROM bits WHERE b ^ c")
    same(stores, "SELECT count(i) FROM bits WHERE i * j GROUP BY t")


def test_a_bitwise_condition_beside_others(stores: list[Any]) -> None:
    answer = same(stores, "SELECT i FROM bits WHERE b ^ c AND i > 5")
    assert [p["i"] for p in answer[0][2]] == [6]
    same(stores, "SELECT i FROM bits WHERE t = 'b' AND (b & c)")
    same(stores, "SELECT i FROM bits WHERE i > 100 OR b ^ c")
    same(stores, "SELECT i FROM bits WHERE b ^ c AND time > 1500000000")
    assert same(stores, "SELECT i FROM bits WHERE i > 100 AND (b | c)") == []
    # Comparisons of bitwise answers filter as before.
    answer = same(stores, "SELECT i FROM bits WHERE b ^ c = true")
    assert [p["i"] for p in answer[0][2]] == [5]
