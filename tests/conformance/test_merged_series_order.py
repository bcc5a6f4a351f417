"""CUMULATIVE_SUM, MOVING_AVERAGE and technical analysis of raw points of
merged series with points at one time.

Without GROUP BY over the tag they differ by, the series of a measurement
are merged, and every point counts (unlike DIFFERENCE and DERIVATIVE, which
read one point of each time: ``test_merged_series_transforms.py``). influxd
reads the points of one time in the order its merge heap pops the series'
iterators (Go's ``container/heap`` between equal keys, neither by series
key nor by value, and not the mirror of ascending order in descending
order). The engine reads them by value, smallest first, in both orders; the
differential tests never draw this shape.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

import influxpy

#: Five series with a point each at t=5 ns; dc=p also has one at t=1 ns.
VALUES = {"p": 40.0, "q": 17.0, "r": 48.0, "s": 23.0, "u": 45.0}
LINES = [f"m,dc={dc} v={v} 5" for dc, v in VALUES.items()] + ["m,dc=p v=100 1"]


def answer(alias: str, text: str) -> list[tuple[int, float]]:
    backend = influxpy.get_connection(alias)
    backend.create_database("merged_order")
    backend.write_lines(LINES, database="merged_order")
    return [
        (p["time"], list(p.values())[1])
        for r in backend.query(text, database="merged_order", epoch="ns")
        for p in r.points
    ]


def increments(rows: list[tuple[int, float]]) -> list[float]:
    sums = [v for _t, v in rows]
    return [b - a for a, b in zip([0.0, *sums], sums, strict=False)]


@pytest.mark.parametrize("descending", [False, True])
def test_quirk_cumulative_sum_of_merged_points_at_one_time(
    both: tuple[str, str], descending: bool
) -> None:
    """Both sum every point, one row each, and agree after the last point
    of each time; between them the server adds the points in its heap's
    order, the engine by value (smallest first)."""
    order = " ORDER BY time DESC" if descending else ""
    server, engine = (
        answer(a, f"SELECT cumulative_sum(v) FROM m{order}") for a in both
    )
    at_five = sorted(VALUES.values())
    expected = [100.0, *at_five] if not descending else [*at_five, 100.0]
    assert increments(engine) == expected
    assert [t for t, _v in engine] == [t for t, _v in server]
    assert sorted(increments(server)) == sorted(expected)
    assert increments(server) != expected
    assert server[-1] == engine[-1] == (1 if descending else 5, 273.0)


@pytest.mark.parametrize(
    "call",
    ["moving_average(v, 2)", "exponential_moving_average(v, 2)"],
)
def test_quirk_moving_averages_of_merged_points_at_one_time(
    both: tuple[str, str], call: str
) -> None:
    """The same rows at the same times on both; their values follow the
    order each reads the points of one time in (heap order, by value)."""
    server, engine = (answer(a, f"SELECT {call} FROM m") for a in both)
    assert [t for t, _v in server] == [t for t, _v in engine]
    assert server != engine
    if call.startswith("moving"):
        pairs: list[Any] = [100.0, *sorted(VALUES.values())]
        means = [(a + b) / 2 for a, b in itertools.pairwise(pairs)]
        assert [v for _t, v in engine] == means
