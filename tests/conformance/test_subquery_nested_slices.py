"""LIMIT/OFFSET of a grouped subquery that reads a subquery or computes
transformations, and raw transformations under outer windows, as influxd
1.6.7 answers them.

Grouped by a tag the outer query does not group by, a subquery's rows are
counted per run of one inner group in the stream of each outer group
(``subquery_slices.py``): raw rows of a subquery and a transformation's
points stream in time order, the rows of one time in the order of all the
tags of their series. A raw transformation inside keeps reading points
under outer windows, and a derivative without a unit takes the outer
interval as its unit. Rows are compared as sets.
"""

from __future__ import annotations

from typing import Any

import pytest

import influxpy
from conformance._paired import answer

S = 1_000_000_000
POINTS = [
    f"m,host=a,dc=x v=1,n=10i {10 * S}",
    f"m,host=a,dc=y v=2 {15 * S}",
    f"m,host=b,dc=x n=30i {20 * S}",
    f"m,host=a,dc=x v=4 {22 * S}",
    f"m,host=a,dc=y n=50i,v=3 {31 * S}",
    f"m,host=b,dc=y v=6,n=60i {30 * S}",
    f"m,host=a,dc=x n=70i,v=9 {40 * S}",
    f"m,host=b,dc=x v=8 {41 * S}",
    f"m,host=b,dc=y v=5 {47 * S}",
    f"m,host=a,dc=y v=7 {45 * S}",
]
RANGE = "WHERE time >= 0 AND time < 50s"
WINDOWS = "SELECT mean(v) AS x FROM m GROUP BY time(10s), host, dc"


@pytest.fixture
def store(conn: str) -> Any:
    backend = influxpy.get_connection(conn)
    backend.write_lines(POINTS)
    return backend


def test_raw_rows_of_a_subquery_sliced_per_run(store: Any) -> None:
    """At 40 s the rows come by (dc, host): a, b, a, b, four runs of one
    host, so LIMIT 1 keeps all four."""
    inner = f"SELECT x FROM ({WINDOWS}) GROUP BY host LIMIT 1"
    text = f"SELECT * FROM ({inner}) {RANGE}"
    assert answer(store, text) == [
        (
            {},
            [
                [10, "a", 1.0],
                [30, "b", 6.0],
                [40, "a", 7.0],
                [40, "a", 9.0],
                [40, "b", 5.0],
                [40, "b", 8.0],
            ],
        )
    ]
    text = f"SELECT * FROM ({inner}) {RANGE} ORDER BY time DESC"
    assert answer(store, text) == [
        (
            {},
            [
                [20, "a", 4.0],
                [30, "a", 3.0],
                [30, "b", 6.0],
                [40, "a", 7.0],
                [40, "a", 9.0],
                [40, "b", 5.0],
                [40, "b", 8.0],
            ],
        )
    ]
    inner = f"SELECT x FROM ({WINDOWS}) GROUP BY host LIMIT 2 OFFSET 1"
    assert answer(store, f"SELECT count(x) FROM ({inner}) {RANGE}") == [({}, [[0, 2]])]


def test_aggregates_of_a_subquery_sliced_per_run(store: Any) -> None:
    inner = (
        "SELECT mean(v) AS x FROM (SELECT v, host, dc FROM m) "
        "GROUP BY time(10s), host LIMIT 1"
    )
    text = f"SELECT x FROM ({inner}) {RANGE} GROUP BY dc"
    assert answer(store, text) == [
        ({"dc": "x"}, [[10, 1.0], [40, 8.0]]),
        ({"dc": "y"}, [[10, 2.0], [30, 6.0], [40, 5.0], [40, 7.0]]),
    ]


def test_transformations_sliced_per_run(store: Any) -> None:
    inner = (
        f"SELECT derivative(mean(v)) AS x FROM m {RANGE} "
        "GROUP BY time(10s), host LIMIT 1"
    )
    text = f"SELECT x FROM ({inner}) {RANGE} GROUP BY dc"
    assert answer(store, text) == [
        ({"dc": "x"}, [[20, 3.0]]),
        ({"dc": "y"}, [[30, 0.5], [40, -1.0]]),
    ]
    inner = f"SELECT difference(v) AS x FROM m {RANGE} GROUP BY host LIMIT 1 OFFSET 1"
    text = f"SELECT * FROM ({inner}) {RANGE}"
    assert answer(store, text) == [({}, [[22, "a", 2.0]])]
    inner = f"SELECT cumulative_sum(v) AS x FROM m {RANGE} GROUP BY host LIMIT 2"
    text = f"SELECT * FROM ({inner}) {RANGE} ORDER BY time DESC"
    assert answer(store, text) == [
        (
            {},
            [
                [15, "a", 25.0],
                [22, "a", 23.0],
                [30, "b", 19.0],
                [31, "a", 19.0],
                [40, "a", 16.0],
                [41, "b", 13.0],
                [45, "a", 7.0],
                [47, "b", 5.0],
            ],
        )
    ]


def test_raw_transformations_under_outer_windows(store: Any) -> None:
    inner = f"SELECT difference(v) AS x FROM m {RANGE} GROUP BY host"
    text = f"SELECT max(x), count(x) FROM ({inner}) {RANGE} GROUP BY time(20s)"
    assert answer(store, text) == [({}, [[0, 1.0, 1], [20, 2.0, 2], [40, 6.0, 4]])]
    # Without a unit, per 20 s; with one, per second.
    inner = f"SELECT non_negative_derivative(v) AS x FROM m {RANGE} GROUP BY dc"
    text = f"SELECT max(x) FROM ({inner}) {RANGE} GROUP BY time(20s)"
    assert answer(store, text) == [
        ({}, [[0, None], [20, 5.333333333333333], [40, 5.714285714285714]])
    ]
    text = text.replace("non_negative_derivative(v)", "derivative(v, 1s)")
    assert answer(store, text) == [
        ({}, [[0, None], [20, 0.26666666666666666], [40, 0.2857142857142857]])
    ]
