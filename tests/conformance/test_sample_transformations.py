"""Transformations of SAMPLE, on both stores.

influxd runs ``derivative(sample(v, N))`` and the other transformations
on the points SAMPLE picks in each window of GROUP BY time(), each at its
own time (without GROUP BY time() it wants an interval). SAMPLE's picks
are random on both stores, so the answers compared are those SAMPLE
determines: N at least the points of each window picks every point.
"""

from __future__ import annotations

import pytest

import influxpy
from conformance._common import Reading, at, write_both

POINTS = [
    Reading(time=at(1), v=1.5, n=2, s="x", ok=True, host="a"),
    Reading(time=at(2), v=2.75, n=3, s="y", ok=False, host="a"),
    Reading(time=at(3), v=-4.5, n=5, host="b"),
    Reading(time=at(4), v=4.0, n=-7, host="b"),
    Reading(time=at(6), v=9.5, n=11, host="a"),
]
WINDOWS = f"WHERE time >= {at(0)} AND time < {at(7)} GROUP BY time(2s)"


Answer = tuple[dict[str, str], list[str], list[list[object]]]


def answers(alias: str, text: str) -> tuple[str | None, list[Answer]]:
    (result,) = list(influxpy.get_connection(alias).statements(text))
    return result.error, [
        (s.tags, s.columns, [list(v) for v in s.values]) for s in result.series
    ]


@pytest.mark.parametrize(
    "text",
    [
        f"SELECT derivative(sample(v, 10)) FROM conformance {WINDOWS}",
        f"SELECT derivative(sample(v, 10), 1s) FROM conformance {WINDOWS}",
        f"SELECT difference(sample(n, 5)) FROM conformance {WINDOWS}",
        f"SELECT cumulative_sum(sample(v, 2)) FROM conformance {WINDOWS}",
        f"SELECT cumulative_sum(sample(n, 2)) FROM conformance {WINDOWS}, host",
        f"SELECT moving_average(sample(v, 3), 2) FROM conformance {WINDOWS}",
        f"SELECT non_negative_derivative(sample(v, 9)) FROM conformance {WINDOWS}",
        f"SELECT elapsed(sample(s, 2)) FROM conformance {WINDOWS}",
        f"SELECT derivative(sample(v::integer, 10)) FROM conformance {WINDOWS}",
        f"SELECT derivative(sample(v, 10)) + 1 FROM conformance {WINDOWS}",
        f"SELECT difference(sample(v, 10)) FROM conformance {WINDOWS} LIMIT 2",
        "SELECT derivative(sample(v, 10)) FROM conformance",
        "SELECT cumulative_sum(sample(v, 10)) FROM conformance GROUP BY host",
        f"SELECT cumulative_sum(sample(s, 10)) FROM conformance {WINDOWS}",
        f"SELECT difference(sample(ok, 10)) FROM conformance {WINDOWS}",
        f"SELECT moving_average(sample(ok, 10), 2) FROM conformance {WINDOWS}",
        f"SELECT derivative(sample(v + 1, 10)) FROM conformance {WINDOWS}",
    ],
)
def test_transformations_of_sample_answer_as_influxd(
    both: tuple[str, str], text: str
) -> None:
    write_both(both, *POINTS)
    server, engine = (answers(alias, text) for alias in both)
    assert server[1] or server[0]
    assert engine == server


def test_cumulative_sum_of_one_random_pick_per_window(both: tuple[str, str]) -> None:
    """One point of each window, at its own time: the running sum of the
    picks (which point is random on both stores)."""
    write_both(both, *POINTS)
    text = f"SELECT cumulative_sum(sample(v, 1)) FROM conformance {WINDOWS}"
    by_time = {at(1): 1.5, at(2): 2.75, at(3): -4.5, at(4): 4.0, at(6): 9.5}
    windows = [(at(0), at(2)), (at(2), at(4)), (at(4), at(6)), (at(6), at(8))]
    for alias in both:
        error, found = answers(alias, text)
        assert error is None
        ((_tags, columns, values),) = found
        assert columns == ["time", "cumulative_sum"]
        times = [int(str(row[0])) for row in values]
        assert [any(lo <= t < hi for t in times) for lo, hi in windows] == [
            True,
            True,
            True,
            True,
        ]
        total = 0.0
        for t, value in values:
            total += by_time[int(str(t))]
            assert value == pytest.approx(total)


#: Points beside POINTS, before and after the ranges below, and one at a
#: time another series has a point at.
AROUND = [
    Reading(time=at(0.5), v=8.0, n=9, host="b"),
    Reading(time=at(2), v=5.0, n=4, host="b"),
    Reading(time=at(8), v=3.0, n=4, host="a"),
    Reading(time=at(9), v=7.0, n=1, host="b"),
    Reading(time=at(11), v=2.0, n=1, host="b"),
]
TRANSFORMS = [
    "derivative(sample(v, 10))",
    "derivative(sample(v, 10), 1s)",
    "non_negative_derivative(sample(v, 10))",
    "difference(sample(n, 10))",
    "non_negative_difference(sample(v, 10))",
    "cumulative_sum(sample(n, 10))",
    "moving_average(sample(v, 10), 3)",
    "elapsed(sample(v, 10), 1s)",
    "derivative(derivative(sample(v, 10)))",
]


@pytest.mark.parametrize("call", TRANSFORMS)
@pytest.mark.parametrize(
    "bounds", [(0, 7), (2, 7), (3, 8), (3, 5)], ids=lambda b: f"{b[0]}-{b[1]}"
)
@pytest.mark.parametrize("order", ["", " ORDER BY time DESC"], ids=["asc", "desc"])
def test_transformations_of_sample_read_as_influxd_reads(
    both: tuple[str, str], call: str, bounds: tuple[int, int], order: str
) -> None:
    """In descending order SAMPLE's windows come latest first, each one's
    points in time order, and the transformation reads them so (a time
    can go back). Its range grows by a window, before the range (after
    it in descending order), and what that window gives is answered."""
    write_both(both, *POINTS, *AROUND)
    low, high = bounds
    text = (
        f"SELECT {call} FROM conformance WHERE time >= {at(low)} "
        f"AND time < {at(high)} GROUP BY time(2s){order}"
    )
    server, engine = (answers(alias, text) for alias in both)
    assert server[0] is None
    assert server[1] or call.startswith("non_negative")
    assert engine == server


@pytest.mark.parametrize(
    "tail",
    [
        "GROUP BY time(2s), host ORDER BY time DESC",
        "GROUP BY time(2s), host ORDER BY time DESC LIMIT 2 OFFSET 1",
        "GROUP BY time(2s) ORDER BY time DESC LIMIT 3",
        "GROUP BY time(2s, 1s) ORDER BY time DESC",
        "GROUP BY time(2s) fill(0) ORDER BY time DESC",
        "GROUP BY time(2s) ORDER BY time DESC tz('Europe/Paris')",
    ],
)
def test_descending_transformations_of_sample_with_clauses(
    both: tuple[str, str], tail: str
) -> None:
    write_both(both, *POINTS, *AROUND)
    for call in ("derivative(sample(v, 10)) + 1", "cumulative_sum(sample(n, 10))"):
        text = (
            f"SELECT {call} FROM conformance WHERE time >= {at(2)} "
            f"AND time < {at(9)} {tail}"
        )
        server, engine = (answers(alias, text) for alias in both)
        assert server[0] is None
        assert server[1]
        assert engine == server


def test_descending_one_random_pick_per_window(both: tuple[str, str]) -> None:
    """One point of each window, windows latest first: the running sum of
    the picks in that order (which point is random on both stores)."""
    write_both(both, *POINTS)
    text = (
        f"SELECT cumulative_sum(sample(v, 1)) FROM conformance {WINDOWS} "
        "ORDER BY time DESC"
    )
    by_time = {at(1): 1.5, at(2): 2.75, at(3): -4.5, at(4): 4.0, at(6): 9.5}
    for alias in both:
        error, found = answers(alias, text)
        assert error is None
        ((_tags, columns, values),) = found
        assert columns == ["time", "cumulative_sum"]
        times = [int(str(row[0])) for row in values]
        assert len(times) == 4
        assert times == sorted(times, reverse=True)
        total = 0.0
        for t, value in values:
            total += by_time[int(str(t))]
            assert value == pytest.approx(total)


@pytest.mark.parametrize(
    "call",
    [
        "exponential_moving_average(sample(v, 10), 2)",
        "derivative(exponential_moving_average(sample(v, 10), 2))",
    ],
)
def test_technical_analysis_of_sample_in_time_order(
    both: tuple[str, str], call: str
) -> None:
    write_both(both, *POINTS, *AROUND)
    text = f"SELECT {call} FROM conformance {WINDOWS}"
    server, engine = (answers(alias, text) for alias in both)
    assert server[0] is None
    assert server[1]
    assert engine == server


@pytest.mark.parametrize(
    "call",
    [
        "exponential_moving_average(sample(v, 10), 2)",
        "derivative(exponential_moving_average(sample(v, 10), 2))",
    ],
)
def test_technical_analysis_of_sample_in_descending_order(
    both: tuple[str, str], call: str
) -> None:
    """influxd reads SAMPLE's windows latest first, each in time order,
    and so does the engine (``test_sample_subquery_order`` has windows of
    several points)."""
    write_both(both, *POINTS, *AROUND)
    text = f"SELECT {call} FROM conformance {WINDOWS} ORDER BY time DESC"
    server, engine = (answers(alias, text) for alias in both)
    assert server[0] is None
    assert server[1]
    assert engine == server
