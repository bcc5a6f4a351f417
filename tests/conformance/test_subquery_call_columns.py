"""Subquery columns that read several inner calls (``mean(v) + count(n)``),
and LIMIT/OFFSET of several inner calls in ascending order, as influxd
1.6.7 answers them.

The server reads one iterator per distinct inner call, pairs their points
with its cursor (``subquery_windows.py``) and computes each column from
the row the cursor makes: where the outer query does not group by every
inner tag, a row can come apart, and a column of a call missing from its
row is null. In both orders, also under outer functions, whose values then
depend on the pairing. LIMIT and OFFSET slice each call's points on their
own before the pairing, in both orders. Rows are compared as sets: the
engine gives them in time order (a difference in order pinned by
``test_quirk_*`` tests in ``test_subquery_windows.py``).
"""

from __future__ import annotations

from typing import Any

import pytest

import influxpy
from conformance._paired import POINTS, RANGE, answer

BY_HOST = "SELECT mean(v) + count(n) AS x, max(v) AS mx FROM m GROUP BY time(10s), host"
BY_HOST_DC = f"{BY_HOST}, dc"


@pytest.fixture
def store(conn: str) -> Any:
    backend = influxpy.get_connection(conn)
    backend.write_lines(POINTS)
    return backend


def test_a_column_of_several_calls_in_descending_order(store: Any) -> None:
    """Host ``b``'s calls at 30 s come apart: ``x`` (mean + count) is null
    in both rows, though each call has a point there."""
    text = f"SELECT x, mx FROM ({BY_HOST}) {RANGE} ORDER BY time DESC"
    assert answer(store, text) == [
        (
            {},
            [
                [10, 2.5, 2.0],
                [20, None, 4.0],
                [20, None, None],
                [30, None, 6.0],
                [30, None, None],
                [30, None, None],
                [40, None, 8.0],
                [40, None, None],
            ],
        )
    ]
    text = f"SELECT x FROM ({BY_HOST}) {RANGE} AND mx > 1 ORDER BY time DESC"
    assert answer(store, text) == [
        ({}, [[10, 2.5], [20, None], [30, None], [40, None]])
    ]


def test_outer_functions_of_a_column_of_several_calls(store: Any) -> None:
    text = f"SELECT count(x), sum(mx) FROM ({BY_HOST}) {RANGE} ORDER BY time DESC"
    assert answer(store, text) == [({}, [[0, 1, 20.0]])]
    text = (
        f"SELECT sum(x) FROM ({BY_HOST}) {RANGE} GROUP BY time(20s) ORDER BY time DESC"
    )
    assert answer(store, text) == [({}, [[0, 2.5], [20, None], [40, None]])]
    # In ascending order the calls of dc y at 30 s come apart as well: the
    # count sees three values of x, not four.
    inner = (
        "SELECT abs(mean(v)) + sum(n) AS x, sum(n) / count(v) AS mx FROM m "
        "GROUP BY time(10s), dc"
    )
    text = f"SELECT count(x), mean(mx) FROM ({inner}) {RANGE}"
    assert answer(store, text) == [({}, [[0, 3, 63.333333333333336]])]
    text = f"SELECT sum(x), count(mx) FROM ({inner}) {RANGE} GROUP BY time(20s)"
    assert answer(store, text) == [({}, [[0, 11.0, 1], [20, 116.0, 1], [40, 78.0, 1]])]


@pytest.mark.parametrize("order", ["DESC", "ASC"])
def test_a_column_of_several_calls_grouped_by_some_inner_tags(
    store: Any, order: str
) -> None:
    text = f"SELECT x, mx FROM ({BY_HOST_DC}) {RANGE} GROUP BY dc ORDER BY time {order}"
    dc_x = [[10, 2.0, 1.0], [20, None, 4.0], [20, None, None], [40, None, 8.0]]
    dc_x.append([40, None, None])
    dc_y = {
        "DESC": [[10, None, 2.0], [30, None, 6.0], [30, None, None], [30, None, None]],
        "ASC": [[10, None, 2.0], [30, 7.0, 6.0], [30, None, None]],
    }[order]
    expected = [({"dc": "x"}, dc_x), ({"dc": "y"}, dc_y)]
    assert answer(store, text) == (expected[::-1] if order == "DESC" else expected)


def test_a_column_of_several_calls_with_row_limits(store: Any) -> None:
    """LIMIT slices each call's points (per run of one inner series) before
    the pairing, in both orders."""
    text = (
        f"SELECT x, mx FROM ({BY_HOST_DC} LIMIT 1) {RANGE} GROUP BY host "
        "ORDER BY time DESC"
    )
    assert answer(store, text) == [
        (
            {"host": "b"},
            [[20, None, None], [30, None, 6.0], [30, None, None], [40, None, 8.0]],
        ),
        (
            {"host": "a"},
            [
                [10, None, 2.0],
                [10, None, None],
                [20, None, 4.0],
                [30, None, None],
                [40, None, None],
            ],
        ),
    ]
    text = text.replace("DESC", "ASC")
    assert answer(store, text) == [
        (
            {"host": "a"},
            [
                [10, 2.0, 1.0],
                [10, None, 2.0],
                [20, None, 4.0],
                [30, None, None],
                [40, None, None],
            ],
        ),
        ({"host": "b"}, [[20, None, None], [30, 7.0, 6.0], [40, None, 8.0]]),
    ]


def test_row_limits_of_several_calls_under_outer_functions(store: Any) -> None:
    """In ascending order, too, OFFSET skips each call's own first point of
    each run: the means of host ``a`` at 20 s and of ``b`` at 40 s are kept,
    and no count (its points alternate hosts, a run each)."""
    inner = (
        "SELECT mean(v) AS x, count(n) AS mx FROM m GROUP BY time(10s), host "
        "LIMIT 1 OFFSET 1"
    )
    text = f"SELECT count(x), mean(mx) FROM ({inner}) {RANGE}"
    assert answer(store, text) == [({}, [[0, 2, None]])]
    text = f"SELECT sum(x), count(mx) FROM ({inner}) {RANGE} GROUP BY time(20s)"
    assert answer(store, text) == [
        ({}, [[0, None, None], [20, 4.0, None], [40, 8.0, None]])
    ]


def test_a_lone_column_of_several_calls(store: Any) -> None:
    """One column of two calls is paired as two columns are: in descending
    order host ``b``'s mean and count at 30 s come apart, so ``x`` is null
    there; in ascending order they stay together (7.0)."""
    inner = "SELECT mean(v) + count(n) AS x FROM m GROUP BY time(10s), host"
    text = f"SELECT * FROM ({inner}) {RANGE} ORDER BY time DESC"
    assert answer(store, text) == [
        (
            {},
            [
                [10, "a", 2.5],
                [20, "a", None],
                [20, "b", None],
                [30, "a", None],
                [30, "b", None],
                [30, "b", None],
                [40, "a", None],
                [40, "b", None],
            ],
        )
    ]
    text = f"SELECT count(x) FROM ({inner}, dc) {RANGE} ORDER BY time DESC"
    assert answer(store, text) == [({}, [[0, 1]])]
    text = text.replace("DESC", "ASC")
    assert answer(store, text) == [({}, [[0, 2]])]


def test_quirk_a_filled_column_of_several_calls(both: tuple[str, str]) -> None:
    """Filled, each inner series has every call in every window, so rows
    stay whole and a column of several calls reads one window's calls; but
    the server fills each run of one inner series in its merge as a new
    series (the quirk of fill() inside a subquery grouped finer than the
    outer query): 20 rows of 2 hosts over 5 windows. The engine fills each
    inner series once: 10 rows. Grouped by the inner tag, both agree."""
    server, engine = (influxpy.get_connection(alias) for alias in both)
    for backend in (server, engine):
        backend.write_lines(POINTS)
    inner = f"{BY_HOST} fill(0)"
    text = f"SELECT x, mx FROM ({inner}) {RANGE} ORDER BY time DESC"
    ((_tags, rows),) = answer(server, text)
    assert len(rows) == 20
    assert answer(engine, text) == [
        (
            {},
            [
                [0, 0.0, 0.0],
                [0, 0.0, 0.0],
                [10, 0.0, 0.0],
                [10, 2.5, 2.0],
                [20, 1.0, 0.0],
                [20, 4.0, 4.0],
                [30, 1.0, 0.0],
                [30, 7.0, 6.0],
                [40, 1.0, 0.0],
                [40, 8.0, 8.0],
            ],
        )
    ]
    grouped = text.replace("ORDER BY", "GROUP BY host ORDER BY")
    assert answer(server, grouped) == answer(engine, grouped)
