"""Several inner calls paired in descending order, as influxd 1.6.7 pairs them,
over an inner GROUP BY *, a wildcard call, series limits and fill().

The server pairs each call's points with a cursor (``subquery_windows.py``):
when the outer query does not group by every inner tag, an inner row can
come apart into one row per call. The rows are compared as sets: the
engine gives them in time order (a difference in order pinned by
``test_quirk_*`` tests in ``test_subquery_windows.py``).
"""

from __future__ import annotations

from typing import Any

import pytest

import influxpy
from conformance._paired import POINTS, RANGE, answer


@pytest.fixture
def store(conn: str) -> Any:
    backend = influxpy.get_connection(conn)
    backend.write_lines(POINTS)
    return backend


def test_several_calls_of_an_inner_group_by_star(store: Any) -> None:
    inner = "SELECT mean(v) AS m, count(n) AS k FROM m GROUP BY *, time(10s)"
    text = f"SELECT m, k FROM ({inner}) {RANGE} ORDER BY time DESC"
    assert answer(store, text) == [
        (
            {},
            [
                [10, 1.0, 1],
                [10, 2.0, None],
                [20, 4.0, None],
                [20, None, 1],
                [30, 6.0, None],
                [30, None, 1],
                [30, None, 1],
                [40, 8.0, None],
                [40, None, 1],
            ],
        )
    ]
    text = f"SELECT count(k) FROM ({inner}) {RANGE} AND m > 0 ORDER BY time DESC"
    assert answer(store, text) == [({}, [[0, 1]])]


def test_several_calls_of_a_wildcard_call(store: Any) -> None:
    """``max(*)`` is one call per field, each paired on its own."""
    inner = "SELECT max(*), count(n) FROM m GROUP BY host, dc, time(10s)"
    text = f"SELECT * FROM ({inner}) {RANGE} ORDER BY time DESC"
    assert answer(store, text) == [
        (
            {},
            [
                [10, 1, "x", "a", 10, 1.0],
                [10, None, "y", "a", None, 2.0],
                [20, 1, "x", "b", 30, None],
                [20, None, "x", "a", None, 4.0],
                [30, 1, "y", "a", 50, None],
                [30, 1, "y", "b", 60, None],
                [30, None, "y", "b", None, 6.0],
                [40, 1, "x", "a", 70, None],
                [40, None, "x", "b", None, 8.0],
            ],
        )
    ]
    wildcard = "SELECT mean(*) FROM m GROUP BY host, dc, time(10s)"
    text = f"SELECT mean_v FROM ({wildcard}) {RANGE} AND mean_n > 0"
    assert answer(store, text) == [
        ({}, [[10, 1.0], [20, None], [30, 6.0], [30, None], [40, None]])
    ]


def test_several_calls_of_a_subquery_with_series_limits(store: Any) -> None:
    inner = (
        "SELECT mean(v) AS m, count(n) AS k FROM m GROUP BY host, dc, time(10s) "
        "SLIMIT 3"
    )
    text = f"SELECT m, k FROM ({inner}) {RANGE} GROUP BY host ORDER BY time DESC"
    assert answer(store, text) == [
        (
            {"host": "b"},
            [[20, None, 1], [30, 6.0, None], [30, None, 1], [40, 8.0, None]],
        ),
        (
            {"host": "a"},
            [
                [10, 1.0, 1],
                [10, 2.0, None],
                [20, 4.0, None],
                [30, None, 1],
                [40, None, 1],
            ],
        ),
    ]


def test_quirk_several_filled_calls_in_descending_order(
    both: tuple[str, str],
) -> None:
    """Filled inner calls have a point in every window of every inner
    series, so the rows stay whole; but the server fills each run of one
    inner series in its merge as a new series (the quirk of fill() inside a
    subquery grouped finer than the outer query): 20 rows of 2 hosts over 5
    windows. The engine fills each inner series once: 10 whole rows."""
    server, engine = (influxpy.get_connection(alias) for alias in both)
    inner = "SELECT mean(v) AS m, count(n) AS k FROM m GROUP BY host, time(10s) fill(0)"
    text = f"SELECT m, k FROM ({inner}) {RANGE} ORDER BY time DESC"
    for backend in (server, engine):
        backend.write_lines(POINTS)
    ((_tags, rows),) = answer(server, text)
    assert len(rows) == 20
    assert answer(engine, text) == [
        (
            {},
            [
                [0, 0.0, 0],
                [0, 0.0, 0],
                [10, 0.0, 0],
                [10, 1.5, 1],
                [20, 0.0, 1],
                [20, 4.0, 0],
                [30, 0.0, 1],
                [30, 6.0, 1],
                [40, 0.0, 1],
                [40, 8.0, 0],
            ],
        )
    ]


def test_several_calls_of_a_subquery_with_row_limits(store: Any) -> None:
    """LIMIT and OFFSET slice each call's points on their own (counted per
    run of one inner series), before the cursor pairs them."""
    inner = "SELECT mean(v) AS m, count(n) AS k FROM m GROUP BY host, dc, time(10s)"
    text = f"SELECT m, k FROM ({inner} LIMIT 1) {RANGE} ORDER BY time DESC"
    assert answer(store, text) == [
        (
            {},
            [
                [10, 2.0, None],
                [10, None, 1],
                [20, 4.0, None],
                [20, None, 1],
                [30, 6.0, None],
                [30, None, 1],
                [30, None, 1],
                [40, 8.0, None],
                [40, None, 1],
            ],
        )
    ]
    text = f"SELECT m, k FROM ({inner} LIMIT 2 OFFSET 1) {RANGE} ORDER BY time DESC"
    assert answer(store, text) == [({}, [[10, 1.0, None]])]
