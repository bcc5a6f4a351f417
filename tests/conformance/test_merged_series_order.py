"""CUMULATIVE_SUM, MOVING_AVERAGE and technical analysis of raw points of
merged series with points at one time.

Without GROUP BY over the tag they differ by, the series of a measurement
are merged, and every point counts (unlike DIFFERENCE and DERIVATIVE, which
read one point of each time: ``test_merged_series_transforms.py``). influxd
reads the points of one time in the order its merge heap pops the series'
iterators (Go's ``container/heap`` between equal keys, neither by series
key nor by value, and not the mirror of ascending order in descending
order); the engine replays that heap (``compilers/duckdb/point_order.py``)
and answers the same rows in the same order.
"""

from __future__ import annotations

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
def test_cumulative_sum_of_merged_points_at_one_time(
    both: tuple[str, str], descending: bool
) -> None:
    """Both sum every point, one row each, in the heap's order: neither by
    value nor by series key."""
    order = " ORDER BY time DESC" if descending else ""
    server, engine = (
        answer(a, f"SELECT cumulative_sum(v) FROM m{order}") for a in both
    )
    assert engine == server
    at_five = sorted(VALUES.values())
    by_value = [100.0, *at_five] if not descending else [*at_five, 100.0]
    assert sorted(increments(engine)) == sorted(by_value)
    assert increments(engine) != by_value
    assert engine[-1] == (1 if descending else 5, 273.0)


@pytest.mark.parametrize(
    "call",
    ["moving_average(v, 2)", "exponential_moving_average(v, 2)"],
)
@pytest.mark.parametrize("order", ["", " ORDER BY time DESC"])
def test_moving_averages_of_merged_points_at_one_time(
    both: tuple[str, str], call: str, order: str
) -> None:
    """The same rows at the same times, with the same values: the points of
    one time averaged in the heap's order."""
    server, engine = (answer(a, f"SELECT {call} FROM m{order}") for a in both)
    assert engine == server
    assert len(engine) >= 4
