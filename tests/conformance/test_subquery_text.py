"""Subqueries in InfluxQL text: fill() and ORDER BY as influxd 1.6.7 reads them.

influxd ignores fill() in a query without GROUP BY time, also a raw select
(or a call without windows) over a windowed subquery, and refuses a subquery
whose ORDER BY runs against the direction of the query around it (a
subquery without ORDER BY takes that direction). Each test runs on the
server and on the engine (``conn``) and expects the server's answer.
"""

from __future__ import annotations

from typing import Any

import pytest

import influxpy
from conformance._common import Reading, at, rows, write

POINTS = [f"m v={k} {10 * k}" for k in range(1, 13)]
RANGE = "WHERE time >= 0 AND time < 130"
WINDOWED = f"(SELECT max(v) AS mx FROM m {RANGE} GROUP BY time(20ns))"
MAXIMA = [
    [0, 1.0],
    [20, 3.0],
    [40, 5.0],
    [60, 7.0],
    [80, 9.0],
    [100, 11.0],
    [120, 12.0],
]


@pytest.fixture
def store(conn: str) -> Any:
    backend = influxpy.get_connection(conn)
    backend.write_lines(POINTS)
    return backend


def answer(backend: Any, text: str) -> tuple[str | None, list[list[Any]]]:
    (result,) = list(backend.statements(text))
    return result.error, [list(v) for s in result.series for v in s.values]


@pytest.mark.parametrize("fill", ["0", "5", "null", "previous"])
def test_fill_of_a_raw_select_over_a_windowed_subquery_is_ignored(
    store: Any, fill: str
) -> None:
    assert answer(store, f"SELECT mx FROM {WINDOWED} fill({fill})") == (None, MAXIMA)


def test_fill_over_a_windowed_subquery_without_windows_is_ignored(
    store: Any,
) -> None:
    assert answer(store, f"SELECT mx * 2 FROM {WINDOWED} fill(0)") == (
        None,
        [[t, 2 * x] for t, x in MAXIMA],
    )
    assert answer(store, f"SELECT max(mx) FROM {WINDOWED} fill(0)") == (
        None,
        [[120, 12.0]],
    )
    nested = f"SELECT mx FROM (SELECT mx FROM {WINDOWED}) fill(1)"
    assert answer(store, nested) == (None, MAXIMA)
    assert answer(store, "SELECT * FROM (SELECT v FROM m) fill(0)")[1][:2] == [
        [10, 1.0],
        [20, 2.0],
    ]


REFUSED = "subqueries must be ordered in the same direction as the query itself"


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * FROM (SELECT v FROM m ORDER BY time DESC)",
        "SELECT * FROM (SELECT v FROM m ORDER BY time ASC) ORDER BY time DESC",
        (
            f"SELECT * FROM (SELECT max(v) FROM m {RANGE} GROUP BY time(50ns) "
            "ORDER BY time DESC)"
        ),
        (
            f"SELECT * FROM (SELECT sample(v, 20), count(v) FROM m {RANGE} "
            "ORDER BY time DESC)"
        ),
        "SELECT * FROM (SELECT * FROM (SELECT v FROM m ORDER BY time DESC))",
        (
            "SELECT * FROM (SELECT * FROM (SELECT v FROM m ORDER BY time DESC) "
            "ORDER BY time DESC)"
        ),
    ],
)
def test_a_subquery_ordered_against_the_query_is_refused(store: Any, text: str) -> None:
    assert answer(store, text) == (REFUSED, [])


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * FROM (SELECT v FROM m) ORDER BY time DESC",
        "SELECT * FROM (SELECT v FROM m ORDER BY time DESC) ORDER BY time DESC",
        (
            "SELECT * FROM (SELECT * FROM (SELECT v FROM m ORDER BY time DESC)) "
            "ORDER BY time DESC"
        ),
    ],
)
def test_a_subquery_ordered_as_the_query_runs(store: Any, text: str) -> None:
    error, rows = answer(store, text)
    assert error is None
    assert [r[0] for r in rows] == [10 * k for k in range(12, 0, -1)]


def test_a_queryset_subquery_ordered_against_the_query_is_refused(conn: str) -> None:
    """From the QuerySet too: ``order_by('-time')`` inside, ascending
    outside (influxd's error on the server, the same refusal on the engine);
    descending on both sides runs."""
    write(conn, *(Reading(time=at(10 * k), v=float(k)) for k in range(3)))
    inner = Reading.series.using(conn).order_by("-time").subquery()
    with pytest.raises(influxpy.InfluxpyError, match=REFUSED):
        rows(inner.only("v"))
    both = inner.only("v").order_by("-time")
    assert [row["v"] for row in rows(both)] == [2.0, 1.0, 0.0]
