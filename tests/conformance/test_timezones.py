"""``tz()`` with ``resolution()`` on both backends.

Each test runs once on the server and once on the engine (the ``conn``
fixture); see ``tests/conformance/__init__.py``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest

from conformance._common import (
    T0,
    UTC,
    M,
    Reading,
    S,
    at,
    pairs,
    rows,
    series,
    write,
    write_both,
)
from influxpy.durations import Day, Hour, Minute, Second
from influxpy.functions import (
    Count,
    Derivative,
    First,
    Integral,
    Max,
    Mean,
    Sample,
    Sum,
    Top,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def hourly(conn: str) -> str:
    """v=1 every hour over both 2020 changes of offset in Europe/Paris."""
    starts = [
        dt.datetime(2020, 3, 28, tzinfo=UTC),
        dt.datetime(2020, 10, 24, tzinfo=UTC),
    ]
    write(
        conn,
        *(
            Reading(time=start + dt.timedelta(hours=h), v=1.0, n=h)
            for start in starts
            for h in range(72)
        ),
    )
    return conn


def test_tz_aligns_windows_to_local_days_across_dst(hourly: str) -> None:
    """time(1d) tz('Europe/Paris') over the 2020 changes: 23- and 25-hour days."""
    spring = dt.datetime(2020, 3, 28, tzinfo=UTC)
    qs = (
        Reading.series.using(hourly)
        .filter(time__gte=spring, time__lt=spring + dt.timedelta(days=3))
        .annotate(c=Count("v"))
        .resolution(Day(1))
        .tz("Europe/Paris")
    )
    points = list(qs.points())
    assert [(p["time"], p["c"]) for p in points] == [
        (dt.datetime(2020, 3, 28, tzinfo=PARIS), 23),
        (dt.datetime(2020, 3, 29, tzinfo=PARIS), 23),
        (dt.datetime(2020, 3, 30, tzinfo=PARIS), 24),
        (dt.datetime(2020, 3, 31, tzinfo=PARIS), 2),
    ]
    assert points[0]["time"].utcoffset() == dt.timedelta(hours=1)
    assert points[2]["time"].utcoffset() == dt.timedelta(hours=2)
    autumn = dt.datetime(2020, 10, 24, tzinfo=UTC)
    qs = (
        Reading.series.using(hourly)
        .filter(time__gte=autumn, time__lt=autumn + dt.timedelta(days=3))
        .annotate(c=Count("v"), s=Sum("n"))
        .resolution(Day(1))
        .tz("Europe/Paris")
    )
    assert [(p["time"], p["c"]) for p in qs.points()] == [
        (dt.datetime(2020, 10, 24, tzinfo=PARIS), 22),
        (dt.datetime(2020, 10, 25, tzinfo=PARIS), 25),
        (dt.datetime(2020, 10, 26, tzinfo=PARIS), 24),
        (dt.datetime(2020, 10, 27, tzinfo=PARIS), 1),
    ]


def test_tz_windows_are_filled_in_local_days(hourly: str) -> None:
    """fill(0) and fill(previous) step through local days, DST included."""
    start = dt.datetime(2020, 3, 27, tzinfo=UTC)
    qs = (
        Reading.series.using(hourly)
        .filter(time__gte=start, time__lt=start + dt.timedelta(days=6))
        .annotate(c=Count("v"))
        .resolution(Day(1))
        .tz("Europe/Paris")
    )
    expected_days = [
        *(dt.datetime(2020, 3, d, tzinfo=PARIS) for d in range(27, 32)),
        dt.datetime(2020, 4, 1, tzinfo=PARIS),
        dt.datetime(2020, 4, 2, tzinfo=PARIS),
    ]
    assert [(p["time"], p["c"]) for p in qs.fill(-1).points()] == list(
        zip(expected_days, [-1, 23, 23, 24, 2, -1, -1], strict=True)
    )
    previous = [p["c"] for p in qs.fill("previous").points()]
    assert previous == [None, 23, 23, 24, 2, 2, 2]


def test_tz_with_a_half_hour_zone_and_an_offset(hourly: str) -> None:
    """Asia/Kolkata hours start at :30 UTC; an offset shifts local windows,
    and around a change of offset the server reports the point's window and
    the filled window separately."""
    start = dt.datetime(2020, 3, 28, 0, 0, tzinfo=UTC)
    kolkata = (
        Reading.series.using(hourly)
        .filter(time__gte=start, time__lt=start + dt.timedelta(hours=3))
        .annotate(c=Count("v"))
        .resolution(Hour(1))
        .tz("Asia/Kolkata")
    )
    day = T0 + 87 * 86_400 * S  # 2020-03-28T00:00:00Z
    assert pairs(kolkata, "c") == [
        (day - 30 * M, 1),
        (day + 30 * M, 1),
        (day + 90 * M, 1),
        (day + 150 * M, 0),
    ]
    shifted = (
        Reading.series.using(hourly)
        .filter(time__gte=start, time__lt=start + dt.timedelta(days=3))
        .annotate(c=Count("v"))
        .resolution(Day(1), Hour(3))
        .tz("Europe/Paris")
    )
    assert [(p["time"], p["c"]) for p in shifted.points()] == [
        (dt.datetime(2020, 3, 27, 3, tzinfo=PARIS), 2),
        (dt.datetime(2020, 3, 28, 3, tzinfo=PARIS), 24),
        (dt.datetime(2020, 3, 29, 3, tzinfo=PARIS), 0),
        (dt.datetime(2020, 3, 29, 4, tzinfo=PARIS), 23),
        (dt.datetime(2020, 3, 30, 3, tzinfo=PARIS), 23),
    ]


@pytest.mark.parametrize(
    "zone", ["Europe/Paris", "America/New_York", "Australia/Lord_Howe"]
)
def test_tz_windows_match_the_server_around_dst(
    both: tuple[str, str], zone: str
) -> None:
    """Windows of half an hour, an hour and whole days, with an offset,
    every fill, both orders, selectors, TOP and transformations, over the
    2020 changes of offset (with gaps): the engine answers as the server."""
    starts = [
        dt.datetime(2020, 3, 6, tzinfo=UTC),
        dt.datetime(2020, 4, 3, tzinfo=UTC),
        dt.datetime(2020, 10, 23, tzinfo=UTC),
        dt.datetime(2020, 10, 30, tzinfo=UTC),
    ]
    write_both(
        both,
        *(
            Reading(
                time=start + dt.timedelta(minutes=15 * h),
                v=float(h % 17),
                host="ab"[h % 2],
            )
            for start in starts
            for h in range(288)
            if h % 7 not in (3, 4)
        ),
    )
    shapes: list[Any] = []
    for start in starts:
        low, high = start + dt.timedelta(hours=5), start + dt.timedelta(days=3)
        for interval, offset in [
            (Day(1), None),
            (Day(1), Hour(3)),
            (Hour(1) if zone != "Australia/Lord_Howe" else Minute(15), None),
            (Minute(30), Minute(15)),
        ]:
            for fill in [None, 0, "linear"]:
                for calls in [
                    (Count("v"), Max("v")),
                    (First("v"),),
                    (Derivative(Mean("v")),),
                ]:
                    shapes.append((low, high, interval, offset, fill, calls))
        shapes.append((low, high, Day(1), None, None, (Top("v", 2),)))
    for low, high, interval, offset, fill, calls in shapes:
        for descending in (False, True):
            results = []
            for alias in both:
                qs = (
                    Reading.series.using(alias)
                    .filter(time__gte=low, time__lt=high)
                    .annotate(*calls)
                    .group_by("host")
                    .resolution(interval, offset)
                    .tz(zone)
                )
                if fill is not None:
                    qs = qs.fill(fill)
                if descending:
                    qs = qs.order_by("-time")
                results.append(series(qs))
            assert results[0] == results[1], (low, interval, offset, fill, calls)


def test_integral_over_tz_windows_matches_the_server(both: tuple[str, str]) -> None:
    """INTEGRAL's windows follow local days across both 2020 changes."""
    starts = [
        dt.datetime(2020, 3, 27, tzinfo=UTC),
        dt.datetime(2020, 10, 23, tzinfo=UTC),
    ]
    write_both(
        both,
        *(
            Reading(time=start + dt.timedelta(minutes=50 * h), v=float(h % 11))
            for start in starts
            for h in range(120)
        ),
    )
    for start in starts:
        for interval, offset in [(Day(1), None), (Day(1), Hour(5)), (Hour(1), None)]:
            results = []
            for alias in both:
                qs = (
                    Reading.series.using(alias)
                    .filter(time__gte=start, time__lt=start + dt.timedelta(days=4))
                    .annotate(Integral("v", Hour(1)))
                    .resolution(interval, offset)
                    .tz("Europe/Paris")
                )
                results.append(rows(qs))
            assert results[0] == results[1], (start, interval, offset)
            assert results[0]


def test_sample_picks_n_real_points_of_each_window(conn: str) -> None:
    """SAMPLE is random on both backends: N points of each window (all of
    them when fewer), each a stored point, by time within the window;
    ORDER BY time DESC reverses only the windows; LIMIT cuts the rows."""
    points = {at(k): float(k) for k in range(20)}
    write(
        conn,
        *(
            Reading(time=t, v=v, host="ab"[k % 2])
            for k, (t, v) in enumerate(points.items())
        ),
    )
    qs = Reading.series.using(conn)
    picked = pairs(qs.annotate(Sample("v", 3)), "sample")
    assert len(picked) == 3
    assert all(points[t] == v for t, v in picked)
    assert picked == sorted(picked)

    windows = qs.filter(time__gte=at(0), time__lt=at(20)).annotate(Sample("v", 3))
    windows = windows.resolution(Second(10))
    ascending = pairs(windows, "sample")
    assert [t < at(10) for t, _ in ascending] == [True] * 3 + [False] * 3
    assert ascending == sorted(ascending)
    assert all(points[t] == v for t, v in ascending)
    descending = pairs(windows.order_by("-time"), "sample")
    assert [t >= at(10) for t, _ in descending] == [True] * 3 + [False] * 3
    assert descending[:3] == sorted(descending[:3])

    by_host = series(qs.annotate(Sample("v", 30)).group_by("host"))
    assert [(tags, len(rows)) for tags, rows in by_host] == [
        ({"host": "a"}, 10),
        ({"host": "b"}, 10),
    ]
    assert len(rows(qs.annotate(Sample("v", 3))[:2])) == 2
