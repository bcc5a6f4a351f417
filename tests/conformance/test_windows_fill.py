"""Windows (``resolution()``) and ``fill()`` on both backends.

Each test runs once on the server and once on the engine (the ``conn``
fixture); see ``tests/conformance/__init__.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import T0, M, Reading, S, column, pairs, rows, series, write
from influxpy.durations import Minute
from influxpy.functions import Count, Max, Mean, Sum


@pytest.fixture
def every_ten_minutes(conn: str) -> str:
    """§6.1: v=k every 10 minutes from 2020-01-01T00:00Z, k = 0…11."""
    write(conn, *(Reading(time=T0 + k * 10 * M, v=float(k), n=k) for k in range(12)))
    return conn


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (None, [(-5, 1, 1.0), (20, 3, 9.0), (45, 2, 11.0)]),
        (Minute(5), [(0, 2, 3.0), (25, 2, 7.0), (50, 2, 11.0)]),
        (Minute(30), [(0, 2, 3.0), (25, 2, 7.0), (50, 2, 11.0)]),
        (Minute(-5), [(-10, 1, 1.0), (15, 2, 5.0), (40, 3, 15.0)]),
    ],
)
def test_windows_align_to_the_epoch_plus_offset(
    every_ten_minutes: str, offset: Any, expected: list[tuple[int, int, float]]
) -> None:
    qs = (
        Reading.series.using(every_ten_minutes)
        .filter(time__gte=T0 + 5 * M, time__lt=T0 + 65 * M)
        .annotate(Count("v"), Sum("v"))
        .resolution(Minute(25), offset)
    )
    assert [(p["time"], p["count"], p["sum"]) for p in rows(qs)] == [
        (T0 + minutes * M, count, total) for minutes, count, total in expected
    ]


def test_sum_of_integers_stays_integer_and_mean_is_float(
    every_ten_minutes: str,
) -> None:
    qs = Reading.series.using(every_ten_minutes).annotate(Sum("n"), Mean("n"))
    (point,) = rows(qs)
    assert point == {"time": 0, "sum": 66, "mean": 5.5}
    assert type(point["sum"]) is int
    assert type(point["mean"]) is float


@pytest.fixture
def gaps(conn: str) -> str:
    """§6.2: host a has 00:00=1, 00:10=3, 00:40=9; host b has 00:10=100."""
    write(
        conn,
        Reading(time=T0, v=1.0, host="a"),
        Reading(time=T0 + 10 * M, v=3.0, host="a"),
        Reading(time=T0 + 40 * M, v=9.0, host="a"),
        Reading(time=T0 + 10 * M, v=100.0, host="b"),
    )
    return conn


WINDOWS = [T0 + m * M for m in (-10, 0, 10, 20, 30, 40, 50)]


def gaps_query(conn: str, *calls: Any) -> Any:
    return (
        Reading.series.using(conn)
        .filter(host="a", time__gte=T0 - 10 * M, time__lt=T0 + 60 * M)
        .annotate(*calls)
        .resolution(Minute(10))
    )


@pytest.mark.parametrize(
    ("fill", "expected"),
    [
        (None, [None, 1.0, 3.0, None, None, 9.0, None]),
        ("null", [None, 1.0, 3.0, None, None, 9.0, None]),
        ("previous", [None, 1.0, 3.0, 3.0, 3.0, 9.0, 9.0]),
        ("linear", [None, 1.0, 3.0, 5.0, 7.0, 9.0, None]),
        (-1, [-1.0, 1.0, 3.0, -1.0, -1.0, 9.0, -1.0]),
    ],
)
def test_fill_modes(gaps: str, fill: Any, expected: list[Any]) -> None:
    qs = gaps_query(gaps, Mean("v"))
    if fill is not None:
        qs = qs.fill(fill)
    assert pairs(qs, "mean") == list(zip(WINDOWS, expected, strict=True))


def test_fill_number_next_to_a_field_never_stored(gaps: str) -> None:
    """A selector's raw field that no point has: each cell takes the number."""
    qs = gaps_query(gaps, Max("v")).only("n").fill(0)
    assert [(p["max"], p["n"]) for p in rows(qs)] == [
        (0, 0),
        (1.0, 0),
        (3.0, 0),
        (0, 0),
        (0, 0),
        (9.0, 0),
        (0, 0),
    ]


def test_fill_none_drops_empty_windows(gaps: str) -> None:
    qs = gaps_query(gaps, Mean("v")).fill("none")
    assert pairs(qs, "mean") == [(T0, 1.0), (T0 + 10 * M, 3.0), (T0 + 40 * M, 9.0)]


def test_count_fills_zero_by_default(gaps: str) -> None:
    assert column(gaps_query(gaps, Count("v")), "count") == [0, 1, 1, 0, 0, 1, 0]
    filled = gaps_query(gaps, Count("v")).fill(-1)
    assert column(filled, "count") == [-1, 1, 1, -1, -1, 1, -1]


def test_fill_previous_follows_the_output_order(gaps: str) -> None:
    qs = gaps_query(gaps, Mean("v")).fill("previous").order_by("-time")
    assert column(qs, "mean") == [None, 9.0, 9.0, 9.0, 3.0, 1.0, 1.0]


def test_each_series_gets_every_window_of_the_range(gaps: str) -> None:
    qs = (
        Reading.series.using(gaps)
        .filter(time__gte=T0 - 10 * M, time__lt=T0 + 30 * M)
        .annotate(Mean("v"))
        .resolution(Minute(10))
        .group_by("host")
    )
    assert [(t["host"], [p["mean"] for p in points]) for t, points in series(qs)] == [
        ("a", [None, 1.0, 3.0, None]),
        ("b", [None, None, 100.0, None]),
    ]


def test_without_lower_bound_each_series_starts_at_its_first_point(gaps: str) -> None:
    qs = (
        Reading.series.using(gaps)
        .filter(time__lt=T0 + 30 * M)
        .annotate(Mean("v"))
        .resolution(Minute(10))
        .group_by("host")
    )
    assert [(t["host"], [p["time"] for p in points]) for t, points in series(qs)] == [
        ("a", [T0, T0 + 10 * M, T0 + 20 * M]),
        ("b", [T0 + 10 * M, T0 + 20 * M]),
    ]


def test_series_without_points_in_range_is_absent(gaps: str) -> None:
    qs = (
        Reading.series.using(gaps)
        .filter(time__gte=T0 + 30 * M, time__lt=T0 + 60 * M)
        .annotate(Count("v"))
        .resolution(Minute(10))
        .group_by("host")
    )
    assert [t["host"] for t, _ in series(qs)] == ["a"]
    empty = Reading.series.using(gaps).filter(time__gte=T0 + 2 * 3600 * S)
    assert series(empty.annotate(Count("v"))) == []
    assert series(empty.annotate(Count("v")).resolution(Minute(10)).filter(
        time__lt=T0 + 3 * 3600 * S
    )) == []  # fmt: skip


def test_calls_have_their_own_windows_and_fill(gaps: str) -> None:
    """Each call fills its own windows; a call without a row takes the fill value."""
    write(gaps, Reading(time=T0 + 40 * M, n=7, host="b"))
    qs = (
        Reading.series.using(gaps)
        .filter(host="b", time__lt=T0 + 60 * M)
        .annotate(Mean("v"), Count("n"))
        .resolution(Minute(10))
    )
    # COUNT fills 0 from its own first window (00:40); before it the row
    # only exists for MEAN, and COUNT's cell takes fill(null)'s null.
    assert [(p["mean"], p["count"]) for p in rows(qs)] == [
        (100.0, None),
        (None, None),
        (None, None),
        (None, 1),
        (None, 0),
    ]
    assert [(p["mean"], p["count"]) for p in rows(qs.fill(-1))] == [
        (100.0, -1),
        (-1.0, -1),
        (-1.0, -1),
        (-1.0, 1),
        (-1.0, -1),
    ]
