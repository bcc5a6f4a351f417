"""Integer totals past 2**63 - 1, on both stores.

influxd adds integers as Go's int64 does: past 2**63 - 1 a total wraps
around (two's complement), the same answer every time. The engine answers
the same: SUM and CUMULATIVE_SUM of integers wrap as influxd's do.
"""

from __future__ import annotations

import pytest

import influxpy
from conformance._common import Reading, at, column, write_both
from influxpy.functions import CumulativeSum, Sum

POINTS = [
    Reading(time=at(1), n=2**62, host="a"),
    Reading(time=at(2), n=2**62, host="a"),
    Reading(time=at(3), n=2**63 - 1, host="b"),
    Reading(time=at(4), n=-(2**63), host="b"),
    Reading(time=at(6), n=5, host="a"),
]
SOURCE = f"FROM conformance WHERE time >= {at(0)} AND time < {at(10)}"


def answers(alias: str, text: str) -> tuple[str | None, list[object]]:
    (result,) = list(influxpy.get_connection(alias).statements(text))
    return result.error, [
        (s.tags, s.columns, [list(v) for v in s.values]) for s in result.series
    ]


@pytest.mark.parametrize(
    "text",
    [
        f"SELECT sum(n) {SOURCE}",
        f"SELECT sum(n) {SOURCE} GROUP BY host",
        f"SELECT sum(n) {SOURCE} GROUP BY time(2s)",
        f"SELECT sum(n) + 1, count(n) {SOURCE}",
        f"SELECT cumulative_sum(n) {SOURCE}",
        f"SELECT cumulative_sum(n) {SOURCE} ORDER BY time DESC",
        f"SELECT cumulative_sum(sum(n)) {SOURCE} GROUP BY time(2s)",
        f"SELECT cumulative_sum(distinct(n)) {SOURCE} GROUP BY time(5s)",
        f"SELECT sum(x) FROM (SELECT sum(n) AS x {SOURCE} GROUP BY host)",
    ],
)
def test_integer_totals_wrap_as_on_influxd(both: tuple[str, str], text: str) -> None:
    write_both(both, *POINTS)
    server, engine = (answers(alias, text) for alias in both)
    assert server[0] is None
    assert server[1]
    assert engine == server


def test_two_points_of_2_62_sum_to_minus_2_63(conn: str) -> None:
    write_both((conn,), *POINTS[:2])
    qs = Reading.series.using(conn).filter(time__lt=at(3))
    assert column(qs.annotate(Sum("n")), "sum") == [-(2**63)]
    running = column(qs.annotate(CumulativeSum("n")), "cumulative_sum")
    assert running == [2**62, -(2**63)]
