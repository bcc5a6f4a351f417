"""Transformations of DISTINCT beside other calls and with ``tz()``, on
both backends.

CUMULATIVE_SUM, MOVING_AVERAGE and ELAPSED of DISTINCT give one row per
distinct value, several stamped with a window's start; the server's cursor
pairs the first row of a time of each call with the first of the others,
the second with the second, and so on. DERIVATIVE, DIFFERENCE and
HOLT_WINTERS read each window's first distinct value.
"""

from __future__ import annotations

from typing import Any

import pytest

import influxpy
from conformance._common import Reading, at, rows, write
from influxpy.durations import Second
from influxpy.functions import CumulativeSum, Distinct, Mean, MovingAverage

S = 1_000_000_000


def points() -> list[Reading]:
    return [
        Reading(
            time=at(10 * k + k % 4),
            v=float((k * 7) % 5),
            n=(k * 3) % 4,
            s="xyz"[k % 3],
            host="ab"[k % 2],
        )
        for k in range(-6, 14)
        if k % 5 != 2
    ]


def answer(conn: str, text: str) -> list[tuple[dict[str, str], list[list[Any]]]]:
    """Tags and rows (times in seconds from ``at(0)``) of each series."""
    (result,) = list(influxpy.get_connection(conn).statements(text))
    assert result.error is None, (text, result.error)
    return [
        (s.tags, [[(v[0] - at(0)) / 1e9, *v[1:]] for v in s.values])
        for s in result.series
    ]


WHERE = f"WHERE time >= {at(15)} AND time < {at(120)}"


def test_cumulative_sum_of_distinct_beside_an_aggregate(conn: str) -> None:
    """The aggregate's row of a window joins the first distinct value's."""
    write(conn, *points())
    text = (
        f"SELECT cumulative_sum(distinct(v)), mean(v) FROM conformance {WHERE} "
        "GROUP BY time(30s)"
    )
    assert answer(conn, text) == [
        (
            {},
            [
                [0.0, None, None],
                [30.0, 1.0, 4 / 3],
                [30.0, 4.0, None],
                [30.0, 4.0, None],
                [60.0, 6.0, 1.5],
                [60.0, 7.0, None],
                [90.0, 10.0, 5 / 3],
                [90.0, 10.0, None],
                [90.0, 12.0, None],
            ],
        )
    ]


def test_through_distinct_beside_calls_from_the_queryset(conn: str) -> None:
    write(conn, *points())
    qs = (
        Reading.series.using(conn)
        .filter(time__gte=at(15), time__lt=at(120))
        .annotate(
            total=CumulativeSum(Distinct("v")),
            mean=Mean("v"),
            moving=MovingAverage(Distinct("n"), 2),
        )
        .resolution(Second(30))
        .fill(0)
    )
    got = [(p["time"], p["total"], p["mean"], p["moving"]) for p in rows(qs)]
    # fill(0) fills the cells a call has no row for, as the cursor does.
    assert got[:5] == [
        (at(0), 0.0, 0.0, 0.5),
        (at(0), 0.0, 0.0, 1.5),
        (at(30), 1.0, 4 / 3, 2.0),
        (at(30), 4.0, 0.0, 0.5),
        (at(30), 4.0, 0.0, 1.5),
    ]


def test_limit_pairs_the_rows_left_of_each_call(conn: str) -> None:
    """LIMIT and OFFSET cut each call's rows first; the cursor then pairs
    what is left, so a window's second distinct value can pair with the
    aggregate's row."""
    write(conn, *points())
    text = (
        f"SELECT cumulative_sum(distinct(v)), mean(v) FROM conformance {WHERE} "
        "GROUP BY time(30s), host LIMIT 3 OFFSET 1"
    )
    assert answer(conn, text) == [
        (
            {"host": "a"},
            [[30.0, None, 3.0], [60.0, 5.0, 1.5], [60.0, 6.0, None], [90.0, 6.0, 0.0]],
        ),
        (
            {"host": "b"},
            [[30.0, 1.0, 0.5], [60.0, None, None], [90.0, 4.0, 2.5], [90.0, 6.0, None]],
        ),
    ]


#: Transformations of DISTINCT beside other calls and in arithmetic.
BESIDE = [
    "SELECT cumulative_sum(distinct(v)) * 2 FROM conformance {w}",
    "SELECT cumulative_sum(distinct(v)) + mean(v) FROM conformance {w}",
    "SELECT cumulative_sum(distinct(v)), difference(distinct(v)) FROM conformance {w}",
    "SELECT moving_average(distinct(v), 2), max(n) FROM conformance {w}",
    "SELECT elapsed(distinct(v)), count(v) FROM conformance {w}",
    (
        "SELECT cumulative_sum(distinct(v)), cumulative_sum(distinct(n)) "
        "FROM conformance {w}"
    ),
    "SELECT cumulative_sum(distinct(v)), derivative(mean(v)) FROM conformance {w}",
    "SELECT cumulative_sum(distinct(v)), mean(v) FROM conformance {w} fill(previous)",
    (
        "SELECT cumulative_sum(distinct(v)), mean(v) FROM conformance {w} "
        "ORDER BY time DESC"
    ),
    (
        "SELECT cumulative_sum(distinct(v)), mean(n) FROM conformance {w} "
        "fill(previous) ORDER BY time DESC"
    ),
    "SELECT cumulative_sum(distinct(v)), sample(n, 10) FROM conformance {w}",
    (
        "SELECT cumulative_sum(distinct(v)), sample(n, 10) FROM conformance {w} "
        "ORDER BY time DESC"
    ),
    "SELECT cumulative_sum(distinct(n)), max(v) FROM conformance {w}, host fill(none)",
    (
        "SELECT moving_average(distinct(n), 3), max(v) FROM conformance {w}, host "
        "fill(linear)"
    ),
    (
        "SELECT elapsed(distinct(s), 1s), count(s) FROM conformance {w}, host "
        "ORDER BY time DESC LIMIT 2"
    ),
    (
        "SELECT cumulative_sum(distinct(v)), max(n) FROM conformance {r} "
        "GROUP BY time(30s, 10s)"
    ),
    "SELECT cumulative_sum(distinct(v)), max(nope) FROM conformance {w} fill(3)",
    (
        "SELECT cumulative_sum(distinct(v)), holt_winters(mean(v), 2, 0) "
        "FROM conformance {w}"
    ),
    "SELECT cumulative_sum(distinct(v)), count(distinct(v)) FROM conformance {w}",
    (
        "SELECT cumulative_sum(distinct(v)), mean(n) FROM conformance {w} "
        "ORDER BY time DESC OFFSET 2"
    ),
]


@pytest.mark.parametrize("shape", BESIDE)
def test_transformations_of_distinct_beside_other_calls(
    both: tuple[str, str], shape: str
) -> None:
    for alias in both:
        write(alias, *points())
    text = shape.format(w=f"{WHERE} GROUP BY time(30s)", r=WHERE)
    server, engine = (answer(alias, text) for alias in both)
    assert server, text
    assert engine == server, text


#: 2020-10-24T00:00Z: Paris goes back from +2 h to +1 h the next day.
FALL_BACK = 1_603_497_600
#: 2020-03-28T00:00Z: Paris goes forward from +1 h to +2 h the next day.
SPRING_FORWARD = 1_585_353_600


def zone_points(day: int) -> list[Reading]:
    """A point every 21 minutes (plus a few) over a day and a half."""
    return [
        Reading(
            time=(day + k * 1260 + (k % 5) * 60) * S,
            v=float((k * 7) % 5),
            n=(k * 3) % 4,
            s="xyz"[k % 3],
            host="ab"[k % 2],
        )
        for k in range(90)
    ]


#: Transformations of DISTINCT with windows in local time.
ZONED = [
    "SELECT derivative(distinct(v)) FROM conformance {w}",
    "SELECT difference(distinct(v)), max(n) FROM conformance {w}",
    "SELECT cumulative_sum(distinct(v)) FROM conformance {w}, host",
    "SELECT moving_average(distinct(v), 2) FROM conformance {w}, host",
    "SELECT elapsed(distinct(s), 1m), count(v) FROM conformance {w} fill(0)",
    (
        "SELECT cumulative_sum(distinct(n)), mean(v) FROM conformance {w}, host "
        "fill(previous)"
    ),
    "SELECT holt_winters(distinct(v), 2, 0) FROM conformance {w}",
    "SELECT derivative(distinct(v)) FROM conformance {w} ORDER BY time DESC",
    (
        "SELECT cumulative_sum(distinct(v)), difference(max(n)) FROM conformance {w} "
        "ORDER BY time DESC LIMIT 5"
    ),
    (
        "SELECT moving_average(distinct(v), 3), derivative(distinct(n)) "
        "FROM conformance {w} LIMIT 4 OFFSET 2"
    ),
]


@pytest.mark.parametrize("day", [FALL_BACK, SPRING_FORWARD])
@pytest.mark.parametrize("zone", ["Europe/Paris", "Asia/Kolkata"])
@pytest.mark.parametrize("interval", ["1h", "2h", "1d"])
@pytest.mark.parametrize("shape", ZONED)
def test_transformations_of_distinct_in_local_time(
    both: tuple[str, str], shape: str, interval: str, zone: str, day: int
) -> None:
    """Across a change of offset too: CUMULATIVE_SUM, MOVING_AVERAGE and
    ELAPSED read DISTINCT's values as it gives them alone (gathered in the
    windows the server's reducer reads, stamped with the window of each
    value's first point)."""
    for alias in both:
        write(alias, *zone_points(day))
    where = (
        f"WHERE time >= {(day + 18 * 3600) * S} AND time < {(day + 30 * 3600) * S} "
        f"GROUP BY time({interval})"
    )
    text = f"{shape.format(w=where)} tz('{zone}')"
    server, engine = (answer(alias, text) for alias in both)
    assert server, text
    assert engine == server, text
