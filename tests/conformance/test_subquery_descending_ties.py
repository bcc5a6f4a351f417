"""Rows of several series at one time, merged in descending order.

influxd merges the series of a raw select (of a measurement, or of a
subquery however deeply nested, with or without a LIMIT per inner series)
in a heap that compares times only: in descending order, rows at one time
come out in the order its heap happens to pop them. The engine replays
that heap for a measurement's raw rows (``test_heap_order.py``); over a
subquery it orders them by series key, latest first, the mirror of
ascending order.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import influxpy

#: Three series (hosts a, b, c) sharing times 10, 20 and 30.
POINTS = [
    "m,host=a v=1 10",
    "m,host=b v=2 10",
    "m,host=a v=3 20",
    "m,host=b v=4 20",
    "m,host=c v=5 20",
    "m,host=c v=6 30",
    "m,host=a v=7 30",
]

TEXTS = [
    "SELECT v FROM (SELECT v FROM m GROUP BY host) ORDER BY time DESC",
    (
        "SELECT v FROM (SELECT v FROM (SELECT v FROM m) GROUP BY host LIMIT 2) "
        "ORDER BY time DESC"
    ),
]


@pytest.fixture
def stores(both: tuple[str, str]) -> Iterator[list[Any]]:
    backends = [influxpy.get_connection(alias) for alias in both]
    for backend in backends:
        backend.create_database("descending_ties")
        backend.write_lines(POINTS, database="descending_ties")
    yield backends
    for backend in backends:
        backend.drop_database("descending_ties")


def values(backend: Any, text: str) -> list[tuple[int, float]]:
    (result,) = backend.query(text, database="descending_ties", epoch="ns")
    return [(p["time"], p["v"]) for p in result.points]


SERVER = [
    (30, 6.0),
    (30, 7.0),
    (20, 5.0),
    (20, 3.0),
    (20, 4.0),
    (10, 1.0),
    (10, 2.0),
]


def test_descending_rows_of_a_measurement_at_one_time(stores: list[Any]) -> None:
    """The server's heap order (c, a, b at 20; a, b at 10), on both."""
    text = "SELECT v FROM m ORDER BY time DESC"
    server, engine = (values(backend, text) for backend in stores)
    assert server == SERVER
    assert engine == SERVER


@pytest.mark.parametrize("text", TEXTS)
def test_quirk_descending_rows_at_one_time(stores: list[Any], text: str) -> None:
    """The same rows, latest first; at one time the server's heap order
    (c, a, b at 20; a, b at 10), the engine's by series key (c, b, a)."""
    server, engine = (values(backend, text) for backend in stores)
    assert server == SERVER
    assert engine == [
        (30, 6.0),
        (30, 7.0),
        (20, 5.0),
        (20, 4.0),
        (20, 3.0),
        (10, 2.0),
        (10, 1.0),
    ]
