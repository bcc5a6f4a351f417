"""The rows of a subquery's TOP, BOTTOM and DISTINCT, in influxd's order.

The server's call iterator emits a subquery's multi-row call window by
window (in the query's direction), one inner series after another by
series key ascending, each series' rows as the call gives them: TOP and
BOTTOM by time, DISTINCT by the time each value was last seen (first seen
in descending order), none of which the answer's columns show. A raw query
reading them keeps that order, in descending order too and over windows in
local time. Each test runs on the server and on the engine (``conn``) and
expects the server's answer (influxd 1.6.7).
"""

from __future__ import annotations

from typing import Any

import pytest

import influxpy
from conformance._common import statement_values

POINTS = [
    f"m,host={host} v={value} {time}"
    for time, host, value in [
        (1, "a", 3),
        (2, "a", 1),
        (3, "a", 3),
        (4, "b", 7),
        (5, "b", 2),
        (51, "a", 9),
        (52, "b", 9),
        (53, "b", 1),
        (60, "a", 2),
        (61, "a", 9),
        (101, "b", 4),
        (102, "a", 5),
        (103, "a", 4),
        (104, "b", 1),
        (105, "b", 4),
    ]
]
RANGE = "WHERE time >= 0 AND time < 150"
LOCAL = "tz('America/New_York')"


@pytest.fixture
def store(conn: str) -> Any:
    backend = influxpy.get_connection(conn)
    backend.write_lines(POINTS)
    return backend


def distinct(grouping: str) -> str:
    return f"(SELECT distinct(v) AS d FROM m {RANGE} GROUP BY {grouping})"


def picked(call: str, grouping: str) -> str:
    return f"(SELECT {call} AS d FROM m {RANGE} GROUP BY {grouping})"


#: DISTINCT per 50 ns window and host, latest window first: host a before
#: b in each window, a series' values by the time each was first seen.
DISTINCT_DESCENDING = [
    [100, 5.0, "a"],
    [100, 4.0, "a"],
    [100, 1.0, "b"],
    [100, 4.0, "b"],
    [50, 2.0, "a"],
    [50, 9.0, "a"],
    [50, 9.0, "b"],
    [50, 1.0, "b"],
    [0, 1.0, "a"],
    [0, 3.0, "a"],
    [0, 7.0, "b"],
    [0, 2.0, "b"],
]


@pytest.mark.parametrize("zone", ["", f" {LOCAL}"])
def test_distinct_of_windows_and_series_in_descending_order(
    store: Any, zone: str
) -> None:
    text = f"SELECT * FROM {distinct('time(50ns), host' + zone)} ORDER BY time DESC"
    assert statement_values(store, text) == DISTINCT_DESCENDING


def test_a_limit_keeps_the_first_rows_of_that_order(store: Any) -> None:
    text = f"SELECT d FROM {distinct('time(50ns), host')} ORDER BY time DESC LIMIT 3"
    assert statement_values(store, text) == [[100, 5.0], [100, 4.0], [100, 1.0]]


def test_distinct_of_windows_grouped_outside_by_its_series(store: Any) -> None:
    """In descending order the series come last tag value first."""
    text = (
        f"SELECT * FROM {distinct('time(50ns), host')} GROUP BY host ORDER BY time DESC"
    )
    (result,) = list(store.statements(text))
    assert [(s.tags, [list(v) for v in s.values]) for s in result.series] == [
        (
            {"host": "b"},
            [[100, 1.0], [100, 4.0], [50, 9.0], [50, 1.0], [0, 7.0], [0, 2.0]],
        ),
        (
            {"host": "a"},
            [[100, 5.0], [100, 4.0], [50, 2.0], [50, 9.0], [0, 1.0], [0, 3.0]],
        ),
    ]


#: TOP(v, 2) per 50 ns window in local time and host: each window's
#: points of host a, then of b, each by time (not by the windows' order).
TOP_LOCAL = [
    [[1, 3.0, "a"], [3, 3.0, "a"], [4, 7.0, "b"], [5, 2.0, "b"]],
    [[51, 9.0, "a"], [61, 9.0, "a"], [52, 9.0, "b"], [53, 1.0, "b"]],
    [[102, 5.0, "a"], [103, 4.0, "a"], [101, 4.0, "b"], [105, 4.0, "b"]],
]


def test_top_of_local_windows_and_series(store: Any) -> None:
    inner = picked("top(v, 2)", f"time(50ns), host {LOCAL}")
    expected = [row for window in TOP_LOCAL for row in window]
    assert statement_values(store, f"SELECT * FROM {inner}") == expected


def test_top_of_local_windows_in_descending_order(store: Any) -> None:
    inner = picked("top(v, 2)", f"time(50ns), host {LOCAL}")
    expected = [row for window in reversed(TOP_LOCAL) for row in window]
    assert (
        statement_values(store, f"SELECT * FROM {inner} ORDER BY time DESC") == expected
    )


def test_bottom_of_local_windows_and_series(store: Any) -> None:
    inner = picked("bottom(v, 2)", f"time(50ns), host {LOCAL}")
    assert statement_values(store, f"SELECT * FROM {inner}") == [
        [1, 3.0, "a"],
        [2, 1.0, "a"],
        [4, 7.0, "b"],
        [5, 2.0, "b"],
        [51, 9.0, "a"],
        [60, 2.0, "a"],
        [52, 9.0, "b"],
        [53, 1.0, "b"],
        [102, 5.0, "a"],
        [103, 4.0, "a"],
        [101, 4.0, "b"],
        [104, 1.0, "b"],
    ]


def test_top_by_tag_of_local_windows_in_descending_order(store: Any) -> None:
    inner = picked("top(v, host, 2)", f"time(50ns) {LOCAL}")
    assert statement_values(store, f"SELECT * FROM {inner} ORDER BY time DESC") == [
        [101, 4.0],
        [102, 5.0],
        [51, 9.0],
        [52, 9.0],
        [1, 3.0],
        [4, 7.0],
    ]


def test_sample_of_local_windows_in_descending_order(store: Any) -> None:
    """SAMPLE picks at random: the order of what it picks is the server's."""
    inner = picked("sample(v, 2)", f"time(50ns), host {LOCAL}")
    found = statement_values(store, f"SELECT * FROM {inner} ORDER BY time DESC")
    windows = [row[0] // 50 for row in found]
    assert len(found) == 12
    assert windows == sorted(windows, reverse=True)
    for window in {2, 1, 0}:
        inside = [(host, time) for time, _v, host in found if time // 50 == window]
        assert inside == sorted(inside)


def test_a_slice_inside_counts_the_rows_of_each_window_and_series(
    store: Any,
) -> None:
    """Grouped inside by a tag the outer query does not group by, LIMIT and
    OFFSET count runs of one inner series in that order: each window's
    DISTINCT values of a host, as the call emits them."""
    inner = f"(SELECT distinct(v) AS d FROM m {RANGE} GROUP BY time(50ns), host "
    assert statement_values(store, f"SELECT * FROM {inner}LIMIT 1 OFFSET 1)") == [
        [0, 1.0, "a"],
        [0, 2.0, "b"],
        [50, 2.0, "a"],
        [50, 1.0, "b"],
        [100, 4.0, "a"],
        [100, 1.0, "b"],
    ]
    descending = f"SELECT * FROM {inner}LIMIT 1 OFFSET 1) ORDER BY time DESC"
    assert statement_values(store, descending) == [
        [100, 4.0, "a"],
        [100, 4.0, "b"],
        [50, 9.0, "a"],
        [50, 1.0, "b"],
        [0, 3.0, "a"],
        [0, 2.0, "b"],
    ]
    local = f"SELECT count(d) FROM {inner}OFFSET 1 {LOCAL})"
    assert statement_values(store, local) == [[0, 6]]
