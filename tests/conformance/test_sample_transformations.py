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


def test_descending_order_is_refused_by_the_engine(both: tuple[str, str]) -> None:
    """influxd reads SAMPLE's windows in reverse and the first point's
    predecessor from beyond the time range; the engine refuses."""
    server, engine = both
    write_both(both, *POINTS)
    text = (
        f"SELECT derivative(sample(v, 10)) FROM conformance {WINDOWS} "
        "ORDER BY time DESC"
    )
    assert answers(server, text)[0] is None
    error = answers(engine, text)[0]
    assert error is not None
    assert "sample() with ORDER BY time DESC" in error
