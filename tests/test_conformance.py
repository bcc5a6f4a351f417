"""Behavioural tests run on both backends: InfluxDB 1.6.7 and the embedded engine.

Every test writes its data through ``bulk_create``, runs QuerySets and
asserts literal expected values, mostly the datasets and answers of the
reference's §6 (checked on a real 1.6.7). The ``conn`` fixture runs each
test once against a fresh database on the session's server and once
against a fresh in-memory engine, so one expectation proves both.

Server quirks the engine deliberately does not copy are at the end, each
asserting what the server answers and what the engine answers instead.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest

import influxpy
from influxpy import F, Now, Q, fields, models
from influxpy.durations import Day, Hour, Minute, Second
from influxpy.exceptions import (
    DatabaseNotFoundError,
    FieldTypeConflictError,
    ProgrammingError,
    UnsupportedCompilation,
)
from influxpy.functions import (
    Abs,
    Bottom,
    Ceil,
    ChandeMomentumOscillator,
    Count,
    CumulativeSum,
    Derivative,
    Difference,
    Distinct,
    DoubleExponentialMovingAverage,
    Elapsed,
    ExponentialMovingAverage,
    First,
    Floor,
    Func,
    HoltWinters,
    HoltWintersWithFit,
    Integral,
    KaufmansAdaptiveMovingAverage,
    KaufmansEfficiencyRatio,
    Last,
    Ln,
    Log,
    Max,
    Mean,
    Median,
    Min,
    Mode,
    MovingAverage,
    NonNegativeDerivative,
    NonNegativeDifference,
    Percentile,
    Pow,
    RelativeStrengthIndex,
    Round,
    Sample,
    Spread,
    Sqrt,
    StdDev,
    Sum,
    Top,
    TripleExponentialDerivative,
    TripleExponentialMovingAverage,
)
from influxpy.introspection import get_introspection
from influxpy.schema import RetentionPolicy, get_schema_editor

S = 1_000_000_000
M = 60 * S
T0 = 1_577_836_800 * S  # 2020-01-01T00:00:00Z
UTC = dt.UTC
approx = pytest.approx


class Reading(models.InfluxMeasurement):
    """One field of every type and two nullable tags."""

    class Meta:
        measurement = "conformance"

    v = fields.FloatField()
    n = fields.IntegerField()
    s = fields.StringField()
    ok = fields.BooleanField()
    host = fields.InfluxTag(null=True)
    dc = fields.InfluxTag(null=True)


class IntTyped(models.InfluxMeasurement):
    """``x`` stored as an integer..."""

    class Meta:
        measurement = "typed"

    x = fields.IntegerField()
    y = fields.FloatField()


class FloatTyped(models.InfluxMeasurement):
    """...and written as a float by another model of the same measurement."""

    class Meta:
        measurement = "typed"

    x = fields.FloatField()
    y = fields.FloatField()


def write(conn: str, *points: Reading) -> None:
    Reading.series.using(conn).bulk_create(points)


def at(seconds: float) -> int:
    return T0 + int(seconds * S)


def series(qs: Any) -> list[tuple[dict[str, str], list[dict[str, Any]]]]:
    """(tags, points) per series, times as integer nanoseconds."""
    return [(r.tags, r.points) for r in qs.epoch()]


def rows(qs: Any) -> list[dict[str, Any]]:
    """The points of a single-series result."""
    result = series(qs)
    assert len(result) <= 1, result
    return result[0][1] if result else []


def column(qs: Any, name: str) -> list[Any]:
    return [p[name] for p in rows(qs)]


def pairs(qs: Any, name: str) -> list[tuple[int, Any]]:
    return [(p["time"], p[name]) for p in rows(qs)]


# -- raw SELECT ---------------------------------------------------------------


@pytest.fixture
def sample(conn: str) -> str:
    """Three hosts, one without tags, fields sometimes missing."""
    write(
        conn,
        Reading(time=at(0), v=1.5, n=10, s="alpha", ok=True, host="a", dc="x"),
        Reading(time=at(10), v=2.5, n=20, s="beta", host="b", dc="x"),
        Reading(time=at(20), n=30, s="gamma", ok=False, host="a", dc="y"),
        Reading(time=at(30), v=-4.0, s="Alpha", ok=True),
    )
    return conn


def test_select_star_returns_fields_and_tags_sorted(sample: str) -> None:
    names = ["time", "dc", "host", "n", "ok", "s", "v"]
    expected = [
        (at(0), "x", "a", 10, True, "alpha", 1.5),
        (at(10), "x", "b", 20, None, "beta", 2.5),
        (at(20), "y", "a", 30, False, "gamma", None),
        (at(30), None, None, None, True, "Alpha", -4.0),
    ]
    result = rows(Reading.series.using(sample))
    assert [list(point) for point in result] == [names] * 4
    assert [tuple(point.values()) for point in result] == expected


def test_only_keeps_rows_where_a_selected_field_is_present(sample: str) -> None:
    qs = Reading.series.using(sample).only("v", "host")
    assert rows(qs) == [
        {"time": at(0), "v": 1.5, "host": "a"},
        {"time": at(10), "v": 2.5, "host": "b"},
        {"time": at(30), "v": -4.0, "host": None},
    ]


def test_f_arithmetic_keeps_integers_and_divides_to_float(sample: str) -> None:
    qs = Reading.series.using(sample).annotate(
        twice=F("n") * 2, half=F("n") / 4, total=F("v") + F("n"), shifted=F("v") - 1
    )
    assert rows(qs) == [
        {"time": at(0), "twice": 20, "half": 2.5, "total": 11.5, "shifted": 0.5},
        {"time": at(10), "twice": 40, "half": 5.0, "total": 22.5, "shifted": 1.5},
        {"time": at(20), "twice": 60, "half": 7.5, "total": None, "shifted": None},
        {"time": at(30), "twice": None, "half": None, "total": None, "shifted": -5.0},
    ]
    assert [type(v) for v in column(qs, "twice")[:3]] == [int, int, int]


LOOKUPS = [
    ({"host": "a"}, [0, 20]),
    ({"host__ne": "a"}, [10, 30]),
    ({"host__in": ["b", "zz"]}, [10]),
    ({"host__regex": "^[ab]$"}, [0, 10, 20]),
    ({"host__startswith": "b"}, [10]),
    ({"dc__contains": "y"}, [20]),
    ({"host__isnull": True}, [30]),
    ({"host__isnull": False}, [0, 10, 20]),
    ({"s__startswith": "al"}, [0]),
    ({"s__istartswith": "al"}, [0, 30]),
    ({"s__contains": "et"}, [10]),
    ({"s__endswith": "ma"}, [20]),
    ({"s__iexact": "ALPHA"}, [0, 30]),
    ({"s__icontains": "LPH"}, [0, 30]),
    ({"s__iendswith": "MMA"}, [20]),
    ({"s__iregex": "^(al|BE)"}, [0, 10, 30]),
    ({"s__regex": "a$"}, [0, 10, 20, 30]),
    ({"s": "beta"}, [10]),
    ({"v__gt": 1.5}, [10]),
    ({"v__gte": 1.5}, [0, 10]),
    ({"v__lt": 1.5}, [30]),
    ({"v__lte": 2.5}, [0, 10, 30]),
    ({"v__range": (0, 2)}, [0]),
    ({"n__in": [10, 30]}, [0, 20]),
    ({"n__ne": 20}, [0, 20]),
    ({"ok": True}, [0, 30]),
    ({"ok__ne": True}, [20]),
]


@pytest.mark.parametrize(("lookup", "expected"), LOOKUPS, ids=lambda x: str(x))
def test_filter_lookups(
    sample: str, lookup: dict[str, Any], expected: list[int]
) -> None:
    qs = Reading.series.using(sample).filter(**lookup)
    assert [p["time"] for p in rows(qs)] == [at(x) for x in expected]


def test_exclude_and_negated_q(sample: str) -> None:
    qs = Reading.series.using(sample)
    assert column(qs.exclude(host="a"), "time") == [at(10), at(30)]
    assert column(qs.exclude(host__in=["a", "b"]), "time") == [at(30)]
    assert column(qs.filter(~Q(host="a") & ~Q(v__lt=0)), "time") == [at(10)]
    either = qs.filter(Q(host="b") | Q(ok=False))
    assert column(either, "time") == [at(10), at(20)]
    assert column(qs.exclude(Q(host="a") | Q(v__gt=2)), "time") == [at(30)]


def test_time_ranges_with_datetimes(sample: str) -> None:
    start = dt.datetime(2020, 1, 1, 0, 0, 10, tzinfo=UTC)
    qs = Reading.series.using(sample).filter(time__gte=start, time__lt=at(30))
    assert column(qs, "time") == [at(10), at(20)]
    assert column(
        Reading.series.using(sample).filter(time__range=(at(10), at(20))), "time"
    ) == [at(10), at(20)]
    points = Reading.series.using(sample).filter(time__gt=at(10)).only("s")
    assert [p["time"] for p in rows(points)] == [at(20), at(30)]


def test_division_by_zero_gives_zero(conn: str) -> None:
    write(conn, Reading(time=at(0), v=5.5, n=7), Reading(time=at(1), v=0.0, n=0))
    qs = Reading.series.using(conn).filter(time__gte=at(1))
    values = Reading.series.using(conn).annotate(
        a=F("v") / F("n"), b=F("n") / F("n"), c=F("n") % F("n"), d=F("v") % F("v")
    )
    assert rows(values)[1] == {"time": at(1), "a": 0.0, "b": 0.0, "c": 0, "d": None}
    assert rows(qs.annotate(r=F("v") % 2))[0]["r"] == 0.0


def test_relative_time_with_now(conn: str) -> None:
    """§6.4: raw queries see the future; GROUP BY time stops at now()."""
    now = time.time_ns()
    write(
        conn,
        Reading(time=now - 3600 * S, v=1.0),
        Reading(time=now + 3600 * S, v=2.0),
        Reading(time=now + 7200 * S, v=3.0),
    )
    qs = Reading.series.using(conn)
    assert column(qs.only("v"), "v") == [1.0, 2.0, 3.0]
    assert column(qs.annotate(Count("v")), "count") == [3]
    assert column(
        qs.filter(time__gt=Now() - Hour(2)).annotate(Count("v")), "count"
    ) == [3]
    assert column(qs.filter(time__gte=Now() - Minute(90)).only("v"), "v") == [
        1.0,
        2.0,
        3.0,
    ]
    assert column(qs.filter(time__lt=Now()).only("v"), "v") == [1.0]
    # The past point is now older than an hour.
    assert column(qs.filter(time__gte=Now() - Hour(1)).only("v"), "v") == [2.0, 3.0]
    windows = qs.filter(time__gt=Now() - Hour(2)).annotate(Count("v"))
    assert column(windows.resolution(Hour(1)), "count") == [0, 1, 0]


# -- grouping, ordering, slicing ----------------------------------------------------


@pytest.fixture
def hosts(conn: str) -> str:
    """§6.8: series sorted by tag values whatever the GROUP BY order."""
    write(
        conn,
        Reading(time=at(0), v=1.0, host="a", dc="x"),
        Reading(time=at(10), v=2.0, host="c", dc="x"),
        Reading(time=at(20), v=3.0, host="a", dc="y"),
        Reading(time=at(30), v=4.0, host="b", dc="y"),
        Reading(time=at(40), v=5.0, host="a", dc="x"),
        Reading(time=at(50), v=6.0),
    )
    return conn


def test_group_by_tags_orders_series_by_tag_values(hosts: str) -> None:
    qs = Reading.series.using(hosts).only("v")
    expected = [
        ({"dc": "", "host": ""}, [6.0]),
        ({"dc": "x", "host": "a"}, [1.0, 5.0]),
        ({"dc": "x", "host": "c"}, [2.0]),
        ({"dc": "y", "host": "a"}, [3.0]),
        ({"dc": "y", "host": "b"}, [4.0]),
    ]
    for grouped in (
        qs.group_by("host", "dc"),
        qs.group_by("dc", "host"),
        qs.group_by("*"),
    ):
        assert [
            (tags, [p["v"] for p in points]) for tags, points in series(grouped)
        ] == expected
    by_host = series(qs.group_by("host"))
    assert [(t, [p["v"] for p in points]) for t, points in by_host] == [
        ({"host": ""}, [6.0]),
        ({"host": "a"}, [1.0, 3.0, 5.0]),
        ({"host": "b"}, [4.0]),
        ({"host": "c"}, [2.0]),
    ]


def test_order_by_desc_reverses_rows_and_series(hosts: str) -> None:
    qs = Reading.series.using(hosts).only("v").group_by("host").order_by("-time")
    assert [(t["host"], [p["v"] for p in points]) for t, points in series(qs)] == [
        ("c", [2.0]),
        ("b", [4.0]),
        ("a", [5.0, 3.0, 1.0]),
        ("", [6.0]),
    ]
    assert column(Reading.series.using(hosts).only("v").order_by("-time"), "v") == [
        6.0, 5.0, 4.0, 3.0, 2.0, 1.0
    ]  # fmt: skip


def test_slicing_is_limit_and_offset_per_series(hosts: str) -> None:
    qs = Reading.series.using(hosts).only("v")
    assert column(qs[1:3], "v") == [2.0, 3.0]
    assert column(qs.order_by("-time")[:2], "v") == [6.0, 5.0]
    grouped = qs.group_by("host")[1:3]
    assert [(t["host"], [p["v"] for p in points]) for t, points in series(grouped)] == [
        ("a", [3.0, 5.0]),
    ]


def test_series_limit_and_offset(hosts: str) -> None:
    qs = Reading.series.using(hosts).only("v").group_by("host")
    limited = qs.series_limit(2).series_offset(1)
    assert [t["host"] for t, _ in series(limited)] == ["a", "b"]
    assert [t["host"] for t, _ in series(qs.series_limit(1))] == [""]
    # Descending output, but the tag sets are still picked in ascending order.
    desc = qs.order_by("-time").series_limit(2)
    assert [t["host"] for t, _ in series(desc)] == ["a", ""]


# -- windows and fill ---------------------------------------------------------------


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


# -- aggregate functions ------------------------------------------------------------


@pytest.fixture
def ten(conn: str) -> str:
    """§3.9: one point every 10 s from t=0, values 2,4,4,4,5,5,7,9,1,3."""
    values = [2, 4, 4, 4, 5, 5, 7, 9, 1, 3]
    write(
        conn,
        *(
            Reading(time=at(10 * k), v=float(x), n=x, host="a")
            for k, x in enumerate(values)
        ),
    )
    return conn


def test_aggregates_of_the_reference_dataset(ten: str) -> None:
    qs = Reading.series.using(ten).annotate(
        count=Count("v"),
        distinct=Count(Distinct("v")),
        mean=Mean("v"),
        median=Median("v"),
        mode=Mode("v"),
        spread=Spread("v"),
        stddev=StdDev("v"),
        sum=Sum("v"),
    )
    assert rows(qs) == [
        {
            "time": 0,
            "count": 10,
            "distinct": 7,
            "mean": approx(4.4, rel=1e-9),
            "median": 4.0,
            "mode": 4.0,
            "spread": 8.0,
            "stddev": approx(2.3190036174568114, rel=1e-9),
            "sum": 44.0,
        }
    ]


def test_integral(ten: str) -> None:
    qs = Reading.series.using(ten)
    assert column(qs.annotate(Integral("v")), "integral") == [approx(415.0, rel=1e-9)]
    per_minute = qs.annotate(Integral("v", Minute(1)))
    assert column(per_minute, "integral") == [approx(6.916666666666665, rel=1e-9)]


def test_integral_small_dataset(conn: str) -> None:
    write(
        conn,
        *(
            Reading(time=at(t), v=x)
            for t, x in ((0, 1.0), (10, 2.0), (20, 10.0), (30, 20.0))
        ),
    )
    qs = Reading.series.using(conn)
    assert column(qs.annotate(Integral("v")), "integral") == [225.0]
    assert column(qs.annotate(Integral("v", Second(10))), "integral") == [22.5]
    inner = qs.filter(time__gte=at(5), time__lte=at(25)).annotate(Integral("v"))
    assert column(inner, "integral") == [60.0]


def test_integral_over_windows_interpolates_to_the_edges(conn: str) -> None:
    """§6.5: time(20s) gives 75 and 150 on [0s:1, 10s:2, 20s:10, 30s:20];
    the area up to a window's end is interpolated toward the next point."""
    write(
        conn,
        *(
            Reading(time=at(t), v=x)
            for t, x in ((0, 1.0), (10, 2.0), (20, 10.0), (30, 20.0))
        ),
    )
    qs = Reading.series.using(conn).filter(time__gte=at(0), time__lt=at(40))
    assert pairs(qs.annotate(Integral("v")).resolution(Second(20)), "integral") == [
        (at(0), 75.0),
        (at(20), 150.0),
    ]
    fifteen = qs.annotate(Integral("v")).resolution(Second(15))
    assert pairs(fifteen, "integral") == [(at(0), 35.0), (at(15), 190.0)]
    later = qs.filter(time__gte=at(5)).annotate(Integral("v")).resolution(Second(20))
    assert pairs(later, "integral") == [(at(0), 60.0), (at(20), 150.0)]


@pytest.fixture
def spaced(conn: str) -> str:
    """Points with an empty 20s window between them, as floats and integers."""
    data = ((0, 1), (10, 2), (20, 10), (30, 20), (75, 5), (95, 7))
    write(conn, *(Reading(time=at(t), v=float(x), n=x) for t, x in data))
    return conn


def test_integral_carries_the_area_over_empty_windows(spaced: str) -> None:
    """The area from a window's end to the next point goes to that point's
    window; an empty window has no row, whatever the fill."""
    qs = (
        Reading.series.using(spaced)
        .filter(time__gte=at(0), time__lt=at(120))
        .resolution(Second(20))
    )
    expected = [
        (at(0), 75.0),
        (at(20), approx(333.33333333333337)),
        (at(60), approx(405.4166666666667)),
        (at(80), 93.75),
    ]
    assert pairs(qs.annotate(Integral("v")), "integral") == expected
    assert pairs(qs.annotate(Integral("v")).fill(0), "integral") == expected


def test_integer_integral_over_windows_keeps_the_previous_value(
    spaced: str,
) -> None:
    """Of integers, the server's reducer keeps the previous value at a
    window's end and carries the interpolated value into the next window."""
    qs = (
        Reading.series.using(spaced)
        .filter(time__gte=at(0), time__lt=at(120))
        .annotate(Integral("n"))
        .resolution(Second(20))
    )
    assert pairs(qs, "integral") == [
        (at(0), 75.0),
        (at(20), approx(333.33333333333337)),
        (at(60), approx(667.9166666666667)),
        (at(80), 78.75),
    ]


def test_integral_next_to_count_over_windows(spaced: str) -> None:
    """Next to another call, INTEGRAL's empty windows are null, or the
    fill value."""
    qs = (
        Reading.series.using(spaced)
        .filter(time__gte=at(0), time__lt=at(120))
        .annotate(Integral("v"), Count("v"))
        .resolution(Second(20))
    )
    assert [(p["integral"], p["count"]) for p in rows(qs)] == [
        (75.0, 2),
        (approx(333.33333333333337), 2),
        (None, 0),
        (approx(405.4166666666667), 1),
        (93.75, 1),
        (None, 0),
    ]
    assert [p["integral"] for p in rows(qs.fill(0))][2::3] == [0.0, 0.0]


def test_percentile_is_nearest_rank(ten: str) -> None:
    qs = Reading.series.using(ten)
    for p, value, when in (
        (50, 4.0, 20),
        (90, 7.0, 60),
        (100, 9.0, 70),
        (33.3, 3.0, 90),
    ):
        assert pairs(qs.annotate(Percentile("v", p)), "percentile") == [
            (at(when), value)
        ]
    assert rows(qs.annotate(Percentile("v", 4))) == []  # index -1: no row
    assert rows(qs.annotate(p=Func("percentile", F("v"), 0))) == []


def test_percentile_of_four(conn: str) -> None:
    write(conn, *(Reading(time=at(k), n=x) for k, x in enumerate([1, 2, 10, 20])))
    qs = Reading.series.using(conn)
    for p, value in ((50, 2), (75, 10), (25, 1)):
        assert column(qs.annotate(Percentile("n", p)), "percentile") == [value]


def test_median_stddev_spread_of_even_and_single(conn: str) -> None:
    write(
        conn,
        *(Reading(time=at(k), n=x, host="a") for k, x in enumerate([1, 2, 10, 20])),
        Reading(time=at(0), n=5, host="b"),
    )
    qs = Reading.series.using(conn).annotate(Median("n"), StdDev("n"), Spread("n"))
    assert [(t["host"], p) for t, (p,) in series(qs.group_by("host"))] == [
        (
            "a",
            {
                "time": 0,
                "median": 6.0,
                "stddev": approx(8.80814017448254),
                "spread": 19,
            },
        ),
        ("b", {"time": 0, "median": 5.0, "stddev": None, "spread": 0}),
    ]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([5, 3, 9], 3),
        ([2, 1, 1, 2], 2),
        ([1, 2, 2, 1], 2),
        ([7, 7, 1, 1, 1], 1),
        ([3, 1, 3, 1, 2], 3),
        (["b", "a", "b", "a"], "b"),
    ],
)
def test_mode_tie_rule(conn: str, values: list[Any], expected: Any) -> None:
    key = "s" if isinstance(values[0], str) else "n"
    write(conn, *(Reading(time=at(k), **{key: x}) for k, x in enumerate(values)))
    assert column(Reading.series.using(conn).annotate(Mode(key)), "mode") == [expected]


def test_count_counts_non_null_values_per_field(conn: str) -> None:
    """§6.5 'nul': a=1,b=1 / a=2 / b=3 / a=4."""
    write(
        conn,
        Reading(time=at(0), v=1.0, n=1),
        Reading(time=at(1), v=2.0),
        Reading(time=at(2), n=3),
        Reading(time=at(3), v=4.0),
    )
    qs = Reading.series.using(conn)
    assert rows(qs.annotate(Count("v"), Count("n"))) == [
        {"time": 0, "count": 3, "count_1": 2}
    ]
    assert rows(qs.annotate(Count("*"))) == [{"time": 0, "count_n": 2, "count_v": 3}]


def test_distinct_keeps_first_appearance_order(conn: str) -> None:
    values = [2, 4, 5, 4, 7, 9, 2, 1, 3, 9]
    write(conn, *(Reading(time=at(k), n=x) for k, x in enumerate(values)))
    qs = Reading.series.using(conn).annotate(Distinct("n"))
    assert pairs(qs, "distinct") == [(0, x) for x in [2, 4, 5, 7, 9, 1, 3]]
    ranged = qs.filter(time__gte=at(1))
    assert column(ranged, "time") == [at(1)] * 7
    assert column(
        Reading.series.using(conn).annotate(Count(Distinct("n"))), "count"
    ) == [7]


# -- selectors ----------------------------------------------------------------------


def test_selectors_report_the_selected_points_time(ten: str) -> None:
    qs = Reading.series.using(ten)
    assert pairs(qs.annotate(Max("v")), "max") == [(at(70), 9.0)]
    assert pairs(qs.annotate(Min("n")), "min") == [(at(80), 1)]
    assert pairs(qs.annotate(First("v")), "first") == [(at(0), 2.0)]
    assert pairs(qs.annotate(Last("n")), "last") == [(at(90), 3)]
    assert pairs(qs.annotate(twice=Max("v") * 2), "twice") == [(at(70), 18.0)]
    # Two selectors: aggregate time (the lower bound, or the epoch).
    assert rows(qs.annotate(Max("v"), Min("v"))) == [
        {"time": 0, "max": 9.0, "min": 1.0}
    ]
    bounded = qs.filter(time__gte=at(5)).annotate(Max("v"), Min("v"))
    assert column(bounded, "time") == [at(5)]
    windowed = qs.filter(time__gte=at(0), time__lt=at(60)).annotate(Max("v"))
    assert pairs(windowed.resolution(Second(30)), "max") == [
        (at(0), 4.0),
        (at(30), 5.0),
    ]


def test_one_selector_next_to_fields_takes_them_from_the_selected_point(
    conn: str,
) -> None:
    write(
        conn,
        Reading(time=at(0), v=5.0, s="x", n=1, host="a"),
        Reading(time=at(10), v=9.0, host="b"),
        Reading(time=at(20), v=9.0, s="z", n=3, host="c"),
        Reading(time=at(40), v=1.0, s="w"),
    )
    qs = Reading.series.using(conn)
    assert rows(qs.only("host", "s").annotate(Max("v"))) == [
        {"time": at(10), "host": "b", "s": None, "max": 9.0}
    ]
    assert rows(qs.annotate(Min("v")).only("host", "s")) == [
        {"time": at(40), "min": 1.0, "host": None, "s": "w"}
    ]
    windows = qs.filter(time__gte=at(0), time__lt=at(60)).resolution(Second(20))
    carried = windows.annotate(Max("v")).only("s", "host").fill("previous")
    assert [(p["s"], p["host"]) for p in rows(carried)] == [
        (None, "b"),
        ("z", "c"),
        ("w", "c"),
    ]
    numbers = windows.annotate(Max("v")).only("n").fill(-1)
    assert column(numbers, "n") == [-1, 3, -1]
    with pytest.raises(ProgrammingError, match="multiple selector"):
        list(qs.annotate(Max("v"), Min("v")).only("s"))


def test_max_and_min_ties_choose_the_earliest_point(conn: str) -> None:
    write(conn, *(Reading(time=at(10 * k), v=x) for k, x in enumerate([9, 9, 9, 1, 1])))
    qs = Reading.series.using(conn)
    assert pairs(qs.annotate(Max("v")), "max") == [(at(0), 9.0)]
    assert pairs(qs.annotate(Min("v")), "min") == [(at(30), 1.0)]


def test_first_and_last_ties_keep_the_larger_value_in_windows(conn: str) -> None:
    write(
        conn,
        Reading(time=at(0), v=5.0, host="a"),
        Reading(time=at(0), v=9.0, host="b"),
        Reading(time=at(0), v=1.0, host="c"),
        Reading(time=at(60), v=2.0, host="a"),
        Reading(time=at(60), v=7.0, host="b"),
    )
    qs = Reading.series.using(conn).filter(time__gte=at(0), time__lt=at(120))
    windows = qs.resolution(Minute(1))
    assert pairs(windows.annotate(First("v")), "first") == [(at(0), 9.0), (at(60), 7.0)]
    assert pairs(windows.annotate(Last("v")), "last") == [(at(0), 9.0), (at(60), 7.0)]


def test_top_and_bottom(ten: str) -> None:
    qs = Reading.series.using(ten)
    assert pairs(qs.annotate(Top("v", 3)), "top") == [
        (at(40), 5.0),
        (at(60), 7.0),
        (at(70), 9.0),
    ]
    assert pairs(qs.annotate(Bottom("n", 2)), "bottom") == [(at(0), 2), (at(80), 1)]
    # Of the equal 4s (10, 20, 30 s) the earliest wins.
    assert pairs(qs.annotate(Bottom("v", 4)), "bottom") == [
        (at(0), 2.0),
        (at(10), 4.0),
        (at(80), 1.0),
        (at(90), 3.0),
    ]
    assert pairs(qs.annotate(Top("v", 4)), "top") == [
        (at(40), 5.0),
        (at(50), 5.0),
        (at(60), 7.0),
        (at(70), 9.0),
    ]


@pytest.fixture
def by_tag(conn: str) -> str:
    """Equal maxima on several hosts, an untagged point."""
    write(
        conn,
        Reading(time=at(0), v=5.0, n=5, host="a", dc="x"),
        Reading(time=at(10), v=9.0, n=9, host="a", dc="y"),
        Reading(time=at(5), v=9.0, n=9, host="b", dc="x"),
        Reading(time=at(20), v=7.0, n=7, host="b", dc="x"),
        Reading(time=at(30), v=1.0, n=1, host="c"),
        Reading(time=at(40), v=9.0, n=9, host="c"),
        Reading(time=at(50), v=3.0, n=3),
    )
    return conn


def test_top_and_bottom_by_tag(by_tag: str) -> None:
    """top(v, host, 2): the best point of each host, the two best of those
    (ties to the earliest), by time, with the host (null when absent)."""
    qs = Reading.series.using(by_tag)
    assert rows(qs.annotate(Top("v", "host", 2))) == [
        {"time": at(5), "top": 9.0, "host": "b"},
        {"time": at(10), "top": 9.0, "host": "a"},
    ]
    assert rows(qs.annotate(Bottom("n", "host", 2))) == [
        {"time": at(30), "bottom": 1, "host": "c"},
        {"time": at(50), "bottom": 3, "host": None},
    ]
    assert rows(qs.annotate(Top("v", "host", "dc", 3))) == [
        {"time": at(5), "top": 9.0, "host": "b", "dc": "x"},
        {"time": at(10), "top": 9.0, "host": "a", "dc": "y"},
        {"time": at(40), "top": 9.0, "host": "c", "dc": None},
    ]
    per_dc = qs.annotate(Top("v", "host", 2)).group_by("dc")
    assert [(t["dc"], [p["host"] for p in pts]) for t, pts in series(per_dc)] == [
        ("", ["c", None]),
        ("x", ["a", "b"]),
        ("y", ["a"]),
    ]


def test_top_by_tag_in_windows_and_descending(by_tag: str) -> None:
    """Per window; ORDER BY time DESC reverses the windows only."""
    qs = (
        Reading.series.using(by_tag)
        .filter(time__gte=at(0), time__lt=at(60))
        .annotate(Top("v", "host", 2))
        .resolution(Second(20))
    )
    expected = [
        (at(5), "b"),
        (at(10), "a"),
        (at(20), "b"),
        (at(30), "c"),
        (at(40), "c"),
        (at(50), None),
    ]
    assert [(p["time"], p["host"]) for p in rows(qs)] == expected
    descending = [(p["time"], p["host"]) for p in rows(qs.order_by("-time"))]
    assert descending == expected[4:] + expected[2:4] + expected[:2]
    assert rows(
        Reading.series.using(by_tag).annotate(Top("v", "host", 2)).order_by("-time")
    ) == [
        {"time": at(5), "top": 9.0, "host": "b"},
        {"time": at(10), "top": 9.0, "host": "a"},
    ]


# -- transformations ----------------------------------------------------------------


def test_transformations_of_raw_values(ten: str) -> None:
    qs = Reading.series.using(ten)
    derivative = pairs(qs.annotate(Derivative("v")), "derivative")
    assert derivative[:2] == [(at(10), approx(0.2)), (at(20), 0.0)]
    assert len(derivative) == 9
    per_10s = column(qs.annotate(Derivative("v", Second(10))), "derivative")
    assert per_10s[:2] == [2.0, 0.0]
    rising = column(qs.annotate(NonNegativeDerivative("n")), "non_negative_derivative")
    assert rising == approx([0.2, 0.0, 0.0, 0.1, 0.0, 0.2, 0.2, 0.2])
    steps = column(qs.annotate(Difference("n")), "difference")
    assert steps == [2, 0, 0, 1, 0, 2, 2, -8, 2]
    non_negative = qs.annotate(NonNegativeDifference("n"))
    assert column(non_negative, "non_negative_difference") == [2, 0, 0, 1, 0, 2, 2, 2]
    average = pairs(qs.annotate(MovingAverage("v", 3)), "moving_average")
    assert average[0] == (at(20), approx(3.3333333333333335))
    assert len(average) == 8
    assert column(qs.annotate(CumulativeSum("n")), "cumulative_sum")[:3] == [2, 6, 10]
    assert set(column(qs.annotate(Elapsed("v")), "elapsed")) == {10 * S}
    assert set(column(qs.annotate(Elapsed("v", Second(1))), "elapsed")) == {10}


def test_transformations_in_descending_order(ten: str) -> None:
    qs = Reading.series.using(ten).filter(time__lt=at(30)).order_by("-time")
    assert pairs(qs.annotate(Derivative("v")), "derivative") == [
        (at(10), 0.0),
        (at(0), approx(-0.2)),
    ]
    assert pairs(qs.annotate(Elapsed("v")), "elapsed") == [
        (at(10), -10 * S),
        (at(0), -10 * S),
    ]
    assert pairs(qs.annotate(CumulativeSum("n")), "cumulative_sum") == [
        (at(20), 4),
        (at(10), 8),
        (at(0), 10),
    ]


@pytest.fixture
def means(conn: str) -> str:
    """§6.6: means 3, 4, 5, 8, 2 in 20 s windows."""
    values = [
        (0, 2.0),
        (10, 4.0),
        (20, 4.0),
        (40, 5.0),
        (60, 8.0),
        (80, 1.0),
        (90, 3.0),
    ]
    write(conn, *(Reading(time=at(t), v=x) for t, x in values))
    return conn


def windowed(conn: str, call: Any) -> Any:
    return (
        Reading.series.using(conn)
        .filter(time__gte=at(0), time__lt=at(100))
        .annotate(call)
        .resolution(Second(20))
    )


def test_derivative_of_an_aggregate_defaults_to_the_interval(means: str) -> None:
    assert column(windowed(means, Mean("v")), "mean") == [3.0, 4.0, 5.0, 8.0, 2.0]
    assert pairs(windowed(means, Derivative(Mean("v"))), "derivative") == [
        (at(20), 1.0),
        (at(40), 1.0),
        (at(60), 3.0),
        (at(80), -6.0),
    ]
    expected = {
        Derivative(Mean("v"), Second(10)): [0.5, 0.5, 1.5, -3.0],
        NonNegativeDerivative(Mean("v")): [1.0, 1.0, 3.0],
        Difference(Mean("v")): [1.0, 1.0, 3.0, -6.0],
        NonNegativeDifference(Max("v")): [0.0, 1.0, 3.0],
        MovingAverage(Mean("v"), 2): [3.5, 4.5, 6.5, 5.0],
        CumulativeSum(Mean("v")): [3.0, 7.0, 12.0, 20.0, 22.0],
        Elapsed(Mean("v"), Second(1)): [20, 20, 20, 20],
    }
    for call, values in expected.items():
        assert column(windowed(means, call), call.name) == values, call


def test_derivative_of_an_aggregate_reads_the_window_before_the_range(
    means: str,
) -> None:
    """The first window in range is compared with the one before it."""
    qs = (
        Reading.series.using(means)
        .filter(time__gte=at(20), time__lt=at(100))
        .annotate(Derivative(Mean("v")))
        .resolution(Second(20))
    )
    assert pairs(qs, "derivative") == [
        (at(20), 1.0),
        (at(40), 1.0),
        (at(60), 3.0),
        (at(80), -6.0),
    ]


@pytest.fixture
def ten_windows(conn: str) -> str:
    """One point per 10s window: 1, 3, 8, 4, 9, 2, 7, 5, 6, 10."""
    values = [1, 3, 8, 4, 9, 2, 7, 5, 6, 10]
    write(conn, *(Reading(time=at(10 * k), v=float(x)) for k, x in enumerate(values)))
    return conn


def chained(conn: str, *calls: Any, low: int = 40, **named: Any) -> Any:
    return (
        Reading.series.using(conn)
        .filter(time__gte=at(low), time__lt=at(100))
        .annotate(*calls, **named)
        .resolution(Second(10))
    )


def test_transformations_of_transformations(ten_windows: str) -> None:
    """A chain reads one window before the range, or N-1 more for a
    MOVING_AVERAGE(…, N) in the statement: the levels each step back one
    window, the data read stops at the statement's extra windows."""
    cases = {
        Difference(Difference(Mean("v"))): [(50, -12.0), (60, 12.0), (70, -7.0)],
        CumulativeSum(Difference(Mean("v"))): [(40, 5.0), (50, -2.0), (60, 3.0)],
        Derivative(CumulativeSum(Mean("v"))): [(40, 9.0), (50, 2.0), (60, 7.0)],
        MovingAverage(Difference(Mean("v")), 3): [(50, -2.0), (60, 1.0)],
        MovingAverage(Difference(Mean("v")), 2): [(40, 0.5), (50, -1.0)],
        MovingAverage(MovingAverage(Mean("v"), 3), 3): [(60, 6.0)],
        Difference(Elapsed(Mean("v"))): [(50, 0), (60, 0)],
    }
    for call, expected in cases.items():
        got = [(p["time"], p[call.name]) for p in rows(chained(ten_windows, call))]
        assert got[: len(expected)] == [(at(t), approx(x)) for t, x in expected], call
    three = [
        (p["time"], p["difference"])
        for p in rows(
            chained(
                ten_windows,
                Difference(Difference(Difference(Mean("v")))),
            )
        )
    ]
    assert three == [(at(60), 24.0), (at(70), -19.0), (at(80), 10.0), (at(90), 0.0)]


def test_nested_transformations_fill_from_every_levels_window(
    ten_windows: str,
) -> None:
    """With fill(), the windows before the range are filled one per level,
    though data is read only as far back as the statement allows: from
    35s, so the 30s window is empty and filled with 0."""
    qs = chained(ten_windows, d=Difference(Difference(Mean("v"))), low=45).fill(0)
    assert [(p["time"], p["d"]) for p in rows(qs)][:3] == [
        (at(40), 9.0),
        (at(50), -16.0),
        (at(60), 12.0),
    ]


# -- technical analysis ------------------------------------------------------------


TECHNICAL = [
    (
        ExponentialMovingAverage("v", 3),
        [
            (20, 3.6666666666666665),
            (30, 3.833333333333333),
            (40, 4.416666666666666),
            (50, 4.708333333333333),
            (60, 5.854166666666666),
            (70, 7.427083333333333),
            (80, 4.213541666666666),
            (90, 3.606770833333333),
        ],
    ),
    (
        DoubleExponentialMovingAverage("v", 3),
        [(20, 4.055555555555555), (30, 4.111111111111111), (90, 2.7907986111111107)],
    ),
    (
        TripleExponentialMovingAverage("v", 3),
        [(20, 4.101851851851853), (30, 4.078703703703704), (90, 2.423755787037037)],
    ),
    (
        TripleExponentialDerivative("v", 3),
        [(30, 10.56782334384858), (40, 11.412268188302432), (90, -8.43756797911681)],
    ),
    (
        RelativeStrengthIndex("v", 3),
        [(30, 100.0), (80, 24.93049119555144), (90, 41.42108117881035)],
    ),
    (
        ChandeMomentumOscillator("v", 3),
        [(20, 100.0), (80, -33.33333333333333), (90, -33.33333333333333)],
    ),
    (
        KaufmansEfficiencyRatio("v", 3),
        [(30, 1.0), (80, 0.3333333333333333), (90, 0.3333333333333333)],
    ),
    (
        KaufmansAdaptiveMovingAverage("v", 3),
        [(30, 4.0), (40, 4.444444444444445), (90, 6.478614738170516)],
    ),
    (
        ExponentialMovingAverage("v", 3, 0, "simple"),
        [(0, 2.0), (10, 3.0), (20, 3.3333333333333335), (90, 3.604166666666667)],
    ),
    (
        ChandeMomentumOscillator("v", 3, 1, "exponential"),
        [(10, 100.0), (80, -50.13901760889713), (90, -17.157837642379324)],
    ),
    (
        RelativeStrengthIndex("n", 2, -1, "simple"),
        [(20, 100.0), (80, 16.702819956616054), (90, 41.19448698315467)],
    ),
]


@pytest.mark.parametrize(("call", "expected"), TECHNICAL, ids=repr)
def test_technical_analysis_of_the_reference_dataset(
    ten: str, call: Any, expected: list[tuple[int, float]]
) -> None:
    """Each function's first, some and last values, with the hold period
    and warm-up of InfluxDB 1.6's implementation."""
    got = {
        (p["time"] - T0) // S: p[call.name]
        for p in rows(Reading.series.using(ten).annotate(call))
    }
    assert min(got) == expected[0][0]
    assert max(got) == 90
    assert [(t, got[t]) for t, _ in expected] == [(t, approx(x)) for t, x in expected]


def test_technical_analysis_of_windows_reads_one_window_before(ten: str) -> None:
    """Of an aggregate, the function reads the window before the range."""
    qs = (
        Reading.series.using(ten)
        .filter(time__gte=at(45), time__lt=at(100))
        .annotate(ExponentialMovingAverage(Max("v"), 2))
        .resolution(Second(20))
    )
    # Maxima 4 (20s window), 5, 9, 3: the 20s window warms it up.
    assert pairs(qs, "exponential_moving_average") == [
        (at(40), approx(4.666666666666667)),
        (at(60), approx(7.555555555555555)),
        (at(80), approx(4.518518518518519)),
    ]


def test_triple_exponential_derivative_needs_a_hold_period(ten: str) -> None:
    """Both backends refuse a hold period of 0 for TRIX."""
    qs = Reading.series.using(ten).annotate(TripleExponentialDerivative("v", 3, 0))
    with pytest.raises(ProgrammingError, match="hold period must be greater"):
        list(qs)


@pytest.fixture
def seasonal(conn: str) -> str:
    """Twelve windows of 10s with a season of four, one point each."""
    values = [3, 5, 9, 4, 4, 6, 10, 5, 5, 7, 11, 6]
    write(
        conn, *(Reading(time=at(10 * k + 1), v=float(x)) for k, x in enumerate(values))
    )
    return conn


def test_holt_winters_forecasts_after_the_last_window(seasonal: str) -> None:
    """HOLT_WINTERS runs the server's Nelder-Mead fit step by step, so the
    forecasts agree to the last bits; WITH_FIT adds the fitted history."""
    qs = (
        Reading.series.using(seasonal)
        .filter(time__gte=at(0), time__lt=at(120))
        .resolution(Second(10))
    )
    assert pairs(qs.annotate(HoltWinters(Mean("v"), 3, 0)), "holt_winters") == [
        (at(120), approx(6.550913572866675, rel=1e-12)),
        (at(130), approx(6.550913571018123, rel=1e-12)),
        (at(140), approx(6.550913570778576, rel=1e-12)),
    ]
    fitted = pairs(
        qs.annotate(HoltWintersWithFit(Mean("v"), 2, 4)), "holt_winters_with_fit"
    )
    assert [t for t, _ in fitted] == [at(10 * k) for k in range(14)]
    assert [v for _, v in fitted][::4] == [
        3.0,
        approx(4.677638613885999, rel=1e-12),
        approx(6.098889139733432, rel=1e-12),
        approx(6.159817146427629, rel=1e-12),
    ]


def test_math_functions(conn: str) -> None:
    write(conn, Reading(time=at(0), v=-2.25, n=9), Reading(time=at(1), v=6.5, n=-3))
    qs = Reading.series.using(conn).annotate(
        abs=Abs("v"),
        sqrt=Sqrt("n"),
        pow=Pow("v", 2),
        log=Log("n", 3),
        ln=Ln("v"),
        floor=Floor("v"),
        ceil=Ceil("v"),
        round=Round("v"),
        keep=Floor("n"),
    )
    assert rows(qs) == [
        {
            "time": at(0),
            "abs": 2.25,
            "sqrt": 3.0,
            "pow": 5.0625,
            "log": approx(2.0),
            "ln": None,
            "floor": -3.0,
            "ceil": -2.0,
            "round": -2.0,
            "keep": 9,
        },
        {
            "time": at(1),
            "abs": 6.5,
            "sqrt": None,
            "pow": 42.25,
            "log": None,
            "ln": approx(1.8718021769015913),
            "floor": 6.0,
            "ceil": 7.0,
            "round": 7.0,
            "keep": -3,
        },
    ]
    assert column(Reading.series.using(conn).annotate(Abs(Mean("v"))), "abs") == [2.125]


# -- aggregate time ------------------------------------------------------------------


def test_aggregate_time_without_resolution(ten: str) -> None:
    qs = Reading.series.using(ten).annotate(Mean("v"))
    assert column(qs.filter(time__gte=at(15)), "time") == [at(15)]
    assert column(qs.filter(time__gt=at(15)), "time") == [at(15) + 1]
    assert column(qs, "time") == [0]


# -- writes -------------------------------------------------------------------------


def test_duplicate_points_merge_fields(conn: str) -> None:
    """§1.5: same tag set and time is one point; later fields win."""
    qs = Reading.series.using(conn)
    qs.bulk_create([Reading(time=at(0), v=1.0, n=1, host="a")])
    qs.bulk_create([Reading(time=at(0), v=2.0, s="x", host="a")])
    qs.bulk_create(
        [Reading(time=at(0), v=3.0, host="a"), Reading(time=at(0), v=4.0, host="a")]
    )
    qs.bulk_create([Reading(time=at(0), v=5.0, host="b")])
    assert series(qs.only("v", "n", "s").group_by("host")) == [
        ({"host": "a"}, [{"time": at(0), "v": 4.0, "n": 1, "s": "x"}]),
        ({"host": "b"}, [{"time": at(0), "v": 5.0, "n": None, "s": None}]),
    ]


def test_duplicates_inside_one_batch_merge_in_order(conn: str) -> None:
    Reading.series.using(conn).bulk_create(
        [
            Reading(time=at(0), v=1.0, n=1),
            Reading(time=at(0), v=2.0, s="x"),
            Reading(time=at(0), n=3),
        ]
    )
    assert rows(Reading.series.using(conn).only("v", "n", "s")) == [
        {"time": at(0), "v": 2.0, "n": 3, "s": "x"}
    ]


def test_field_type_conflict_keeps_the_other_points(conn: str) -> None:
    IntTyped.series.using(conn).bulk_create([IntTyped(time=at(0), x=1, y=1.0)])
    with pytest.raises(FieldTypeConflictError) as info:
        FloatTyped.series.using(conn).bulk_create(
            [FloatTyped(time=at(1), x=2.5, y=2.0), FloatTyped(time=at(2), y=3.0)]
        )
    assert info.value.dropped == 1
    assert "field type conflict" in info.value.reason
    assert rows(IntTyped.series.using(conn).only("x", "y")) == [
        {"time": at(0), "x": 1, "y": 1.0},
        {"time": at(2), "x": None, "y": 3.0},
    ]


def test_delete_with_tag_and_time_conditions(hosts: str) -> None:
    qs = Reading.series.using(hosts)
    qs.filter(host="a", time__lt=at(30)).delete()
    assert column(qs.only("v"), "v") == [2.0, 4.0, 5.0, 6.0]
    qs.filter(dc="y").delete()
    assert column(qs.only("v"), "v") == [2.0, 5.0, 6.0]
    qs.filter(time__gte=at(45)).delete()
    assert column(qs.only("v"), "v") == [2.0, 5.0]


# -- QuerySet methods -----------------------------------------------------------------


def test_count_exists_first_last_get_aggregate(hosts: str) -> None:
    qs = Reading.series.using(hosts)
    assert qs.count() == 6
    assert qs.filter(host="a").count() == 3
    assert qs.exists()
    assert not qs.filter(host="zz").exists()
    first = qs.filter(host="a").first()
    assert (first.time_ns, first.v, first.host) == (at(0), 1.0, "a")
    last = qs.filter(host="a").last()
    assert (last.time_ns, last.v, last.dc) == (at(40), 5.0, "x")
    assert qs.filter(host="zz").first() is None
    got = qs.get(host="b")
    assert (got.time_ns, got.v) == (at(30), 4.0)
    with pytest.raises(Reading.DoesNotExist):
        qs.get(host="zz")
    with pytest.raises(Reading.MultipleObjectsReturned):
        qs.get(host="a")
    assert qs.aggregate(Mean("v"), top=Max("v"), n=Count("v")) == {
        "mean": 3.5,
        "top": 6.0,
        "n": 6,
    }


def test_iterator_streams_in_chunks(hosts: str) -> None:
    qs = Reading.series.using(hosts).only("v").epoch()
    pieces = list(qs.iterator(chunk_size=2))
    assert all(len(piece.points) <= 2 for piece in pieces)
    assert [p["v"] for piece in pieces for p in piece.points] == [
        1.0, 2.0, 3.0, 4.0, 5.0, 6.0
    ]  # fmt: skip
    grouped = list(qs.group_by("host").iterator(chunk_size=2))
    assert [
        (piece.tags["host"], [p["v"] for p in piece.points]) for piece in grouped
    ] == [
        ("", [6.0]),
        ("a", [1.0, 3.0]),
        ("a", [5.0]),
        ("b", [4.0]),
        ("c", [2.0]),
    ]


def test_to_dataframe_is_the_same_on_both_backends(
    influx_url: str,
) -> None:
    import pandas as pd

    points = [
        Reading(time=at(0), v=1.5, n=1, s="a", ok=True, host="a"),
        Reading(time=at(10), v=2.5, host="b", dc="x"),
        Reading(time=at(20), n=3, s="c", host="a"),
    ]
    frames = []
    for alias, url in (("df-influxdb", influx_url), ("df-duckdb", "duckdb://:memory:")):
        backend = influxpy.connect(url, alias=alias)
        try:
            qs = Reading.series.using(alias)
            qs.bulk_create(points)
            more = pd.DataFrame(
                {"v": [7.5, None], "n": [None, 9], "host": ["c", None]},
                index=pd.DatetimeIndex(["2020-01-01T00:01", "2020-01-01T00:02"]),
            )
            assert qs.write_dataframe(more) == 2
            frames.append(
                (
                    qs.to_dataframe(),
                    qs.group_by("host").annotate(Count("v"), Sum("n")).to_dataframe(),
                )
            )
        finally:
            backend.close()
    (raw_a, agg_a), (raw_b, agg_b) = frames
    pd.testing.assert_frame_equal(raw_a, raw_b)
    pd.testing.assert_frame_equal(agg_a, agg_b)
    assert list(raw_a.columns) == ["dc", "host", "n", "ok", "s", "v"]
    assert raw_a.index[0] == pd.Timestamp("2020-01-01", tz="UTC")
    assert len(raw_a) == 5
    # The untagged series has no v at all: COUNT has no row there, so the
    # cell is null (SUM's row carries it).
    assert agg_a["count"].isna().tolist() == [True, False, False, False]
    assert agg_a["sum"].fillna(-1).tolist() == [9, 4, -1, -1]
    assert list(agg_a["host"]) == ["", "a", "b", "c"]


# -- subqueries -------------------------------------------------------------------


@pytest.fixture
def nested(conn: str) -> str:
    """Two hosts and an untagged point, for queries over subqueries."""
    write(
        conn,
        *(Reading(time=at(10 * k), v=float(2 * k + 1), host="a") for k in range(4)),
        *(
            Reading(time=at(10 * k + 5), v=float(20 * k + 10), host="b", dc="x")
            for k in range(3)
        ),
        Reading(time=at(12), v=100.0),
    )
    return conn


def test_subquery_feeds_an_outer_aggregate(nested: str) -> None:
    """The max over hosts of each host's mean; outer filters read aliases."""
    inner = Reading.series.using(nested).annotate(m=Mean("v")).group_by("host")
    outer = inner.subquery().annotate(top=Max("m"))
    assert str(outer.query) == (
        'SELECT max("m") AS "top" FROM (SELECT mean("v") AS "m" FROM "conformance" '
        'GROUP BY "host")'
    )
    assert rows(outer) == [{"time": 0, "top": 100.0}]
    per_host = inner.subquery().filter(m__gt=5).annotate(Max("m")).group_by("host")
    assert [(t["host"], p) for t, p in series(per_host)] == [
        ("", [{"time": 0, "max": 100.0}]),
        ("b", [{"time": 0, "max": 30.0}]),
    ]


def test_outer_group_by_tags_reach_the_inner_query(nested: str) -> None:
    """GROUP BY on the outer query groups the inner one too."""
    qs = (
        Reading.series.using(nested)
        .annotate(m=Mean("v"))
        .subquery()
        .annotate(Max("m"))
        .group_by("host")
    )
    assert [(t["host"], p) for t, p in series(qs)] == [
        ("", [{"time": 0, "max": 100.0}]),
        ("a", [{"time": 0, "max": 4.0}]),
        ("b", [{"time": 0, "max": 30.0}]),
    ]


def test_raw_rows_of_a_subquery_carry_its_tags(nested: str) -> None:
    """SELECT * over a grouped subquery shows the group tags as columns,
    '' where a series lacks the tag."""
    qs = (
        Reading.series.using(nested)
        .annotate(m=Mean("v"), k=Count("v"))
        .group_by("host")
        .subquery()
    )
    assert rows(qs) == [
        {"time": 0, "host": "", "k": 1, "m": 100.0},
        {"time": 0, "host": "a", "k": 4, "m": 4.0},
        {"time": 0, "host": "b", "k": 3, "m": 30.0},
    ]


def test_inner_aggregate_takes_the_outer_windows(nested: str) -> None:
    """An inner aggregate without resolution() is computed per outer window."""
    qs = (
        Reading.series.using(nested)
        .annotate(m=Mean("v"))
        .subquery()
        .filter(time__gte=at(0), time__lt=at(40))
        .annotate(Max("m"))
        .resolution(Second(20))
    )
    assert pairs(qs, "max") == [(at(0), 28.8), (at(20), approx(62 / 3))]


def test_inner_empty_windows_are_dropped(nested: str) -> None:
    """The server turns an inner fill(null) into fill(none): count(v) of the
    inner windows has no row for an empty window."""
    inner = (
        Reading.series.using(nested)
        .filter(host="a")
        .annotate(n=Count("v"))
        .resolution(Second(5))
    )
    qs = inner.subquery().filter(time__gte=at(0), time__lt=at(40))
    assert pairs(qs.only("n"), "n") == [
        (at(0), 1),
        (at(10), 1),
        (at(20), 1),
        (at(30), 1),
    ]
    assert rows(qs.annotate(Count("n"))) == [{"time": at(0), "count": 4}]


def test_raw_subquery_rows_keep_windows_before_the_range(nested: str) -> None:
    """Rows of inner windows starting before the outer lower bound come out."""
    qs = (
        Reading.series.using(nested)
        .annotate(m=Max("v"))
        .resolution(Second(25))
        .subquery()
        .filter(time__gte=at(5), time__lt=at(40))
    )
    assert pairs(qs, "m") == [(at(0), 100.0), (at(25), 50.0)]


def test_subquery_rows_with_null_values_come_out(conn: str) -> None:
    """A raw query over a subquery returns every inner row, null or not."""
    write(
        conn,
        Reading(time=at(10), v=1.0),
        Reading(time=at(20), n=5),
        Reading(time=at(30), v=3.0),
    )
    qs = Reading.series.using(conn).only("v", "n").subquery().only("v")
    assert pairs(qs, "v") == [(at(10), 1.0), (at(20), None), (at(30), 3.0)]


def test_nested_subqueries_and_math(nested: str) -> None:
    """A subquery of a subquery; arithmetic in the inner select list."""
    doubled = Reading.series.using(nested).annotate(x=F("v") * 2 + 1).subquery()
    assert rows(doubled.annotate(Sum("x"), Median("x"))) == [
        {"time": 0, "sum": 420.0, "median": 18.0}
    ]
    top = (
        Reading.series.using(nested)
        .annotate(m=Max("v"))
        .group_by("host")
        .subquery()
        .annotate(m=Min("m"))
        .subquery()
        .annotate(Sum("m"))
    )
    assert rows(top) == [{"time": 0, "sum": 7.0}]


def test_outer_transformation_reads_the_window_before_through_a_subquery(
    conn: str,
) -> None:
    """The outer DERIVATIVE's window before the range is read from the
    subquery too."""
    write(conn, *(Reading(time=at(10 * k), v=float(k * k)) for k in range(8)))
    qs = (
        Reading.series.using(conn)
        .annotate(m=Mean("v"))
        .resolution(Second(10))
        .subquery()
        .filter(time__gte=at(40), time__lt=at(80))
        .annotate(d=Derivative(Max("m")))
        .resolution(Second(20))
    )
    assert pairs(qs, "d") == [(at(40), 16.0), (at(60), 24.0)]


def test_subqueries_with_tz_windows(conn: str) -> None:
    """A subquery's local-day windows, and local-day windows over a
    subquery's hourly ones, across the 2020 spring change in Paris."""
    start = dt.datetime(2020, 3, 27, 23, tzinfo=UTC)  # local midnight
    write(
        conn,
        *(
            Reading(time=start + dt.timedelta(hours=h), v=float(h % 5))
            for h in range(48)
        ),
    )
    daily = (
        Reading.series.using(conn)
        .annotate(m=Count("v"))
        .resolution(Day(1))
        .tz("Europe/Paris")
        .subquery()
        .filter(time__gte=start, time__lt=start + dt.timedelta(days=2))
    )
    assert [p["m"] for p in rows(daily.only("m"))] == [24, 23, 1]
    assert rows(daily.annotate(Sum("m"))) == [{"time": start_ns(start), "sum": 48}]
    hourly = (
        Reading.series.using(conn)
        .annotate(m=Max("v"))
        .resolution(Hour(1))
        .subquery()
        .filter(time__gte=start, time__lt=start + dt.timedelta(days=2))
        .annotate(n=Count("m"))
        .resolution(Day(1))
        .tz("Europe/Paris")
    )
    assert [p["n"] for p in rows(hourly)] == [24, 23, 1]


def start_ns(moment: dt.datetime) -> int:
    return int(moment.timestamp()) * S


@pytest.mark.parametrize(
    ("make", "feature"),
    [
        (
            lambda qs: (
                qs.annotate(m=Mean("v"))
                .resolution(Second(10))
                .subquery()
                .filter(time__gt=at(0), time__lt=at(40))
                .annotate(Count("m"))
            ),
            "windows start before the time range",
        ),
        (
            lambda qs: qs.only("v").group_by("host")[:2].subquery().annotate(Sum("v")),
            "slicing a grouped subquery",
        ),
        (
            lambda qs: (
                qs.annotate(m=Mean("v"), k=Count("v"))
                .subquery()
                .only("m")
                .order_by("-time")
            ),
            "order_by('-time') over a subquery of several calls",
        ),
        (
            lambda qs: (
                qs.annotate(m=Mean("v"))
                .resolution(Second(10))
                .fill(0)
                .subquery()
                .filter(time__gte=at(0), time__lt=at(40))
            ),
            "fill('value') inside a subquery",
        ),
        (
            lambda qs: qs.only("v").subquery().group_by("host").series_limit(1),
            "series_limit() with subqueries",
        ),
    ],
)
def test_subquery_shapes_the_engine_refuses(
    both: tuple[str, str], make: Any, feature: str
) -> None:
    """Shapes where the server's answer is an artefact are refused by name."""
    write_both(both, Reading(time=at(5), v=1.0, host="a"))
    server, engine = both
    list(make(Reading.series.using(server)))
    with pytest.raises(UnsupportedCompilation, match=re.escape(feature)):
        list(make(Reading.series.using(engine)))


# -- INTO and retention policies ------------------------------------------------


class ReadingCopy(models.InfluxMeasurement):
    """Where INTO writes."""

    class Meta:
        measurement = "conformance_copy"

    v = fields.FloatField()
    host = fields.InfluxTag(null=True)


def test_into_copies_points_and_keeps_tags(conn: str) -> None:
    """into(Model).execute() writes per tag set and returns the count written."""
    write(
        conn,
        Reading(time=at(0), v=1.0, host="a"),
        Reading(time=at(0), v=2.0, host="b"),
        Reading(time=at(1), v=3.0, host="a"),
    )
    qs = Reading.series.using(conn).only("v").into(ReadingCopy)
    assert str(qs.query) == (
        'SELECT "v" INTO "conformance_copy" FROM "conformance" GROUP BY *'
    )
    assert qs.execute() == 3
    copied = ReadingCopy.series.using(conn).group_by("host")
    assert series(copied) == [
        ({"host": "a"}, [{"time": at(0), "v": 1.0}, {"time": at(1), "v": 3.0}]),
        ({"host": "b"}, [{"time": at(0), "v": 2.0}]),
    ]


class Summary(models.InfluxMeasurement):
    """A mean and a count per window."""

    class Meta:
        measurement = "conformance_summary"

    m = fields.FloatField()
    k = fields.IntegerField()
    host = fields.InfluxTag(null=True)


class Elsewhere(models.InfluxMeasurement):
    """A measurement in a database that does not exist."""

    class Meta:
        measurement = "conformance_copy"
        database = "influxpy_nowhere"

    v = fields.FloatField()


class InRaw(models.InfluxMeasurement):
    """A measurement in the retention policy ``raw``."""

    class Meta:
        measurement = "conformance"
        retention_policy = "raw"

    v = fields.FloatField()
    host = fields.InfluxTag(null=True)


class InAutogen(models.InfluxMeasurement):
    """A measurement in the retention policy ``autogen``."""

    class Meta:
        measurement = "conformance"
        retention_policy = "autogen"

    n = fields.IntegerField()


def database_of(alias: str) -> str:
    return influxpy.get_connection(alias).resolve_database(None)


def test_into_writes_the_rows_with_a_value(conn: str) -> None:
    """Rows whose columns are all null are not written, even a COUNT's empty
    window (its default fill of 0 does not apply to INTO); null columns are
    left out of a point."""
    write(
        conn,
        Reading(time=at(10), v=1.0, host="a"),
        Reading(time=at(20), n=5, host="a"),
        Reading(time=at(30), v=3.0, host="b"),
        Reading(time=at(30), v=7.0),
    )
    windows = (
        Reading.series.using(conn)
        .filter(time__gte=at(0), time__lt=at(60))
        .annotate(m=Mean("v"), k=Count("n"))
        .resolution(Second(10))
    )
    assert windows.into(Summary).execute() == 4
    assert series(Summary.series.using(conn).group_by("host")) == [
        ({"host": ""}, [{"time": at(30), "k": None, "m": 7.0}]),
        (
            {"host": "a"},
            [
                {"time": at(10), "k": None, "m": 1.0},
                {"time": at(20), "k": 1, "m": None},
            ],
        ),
        ({"host": "b"}, [{"time": at(30), "k": None, "m": 3.0}]),
    ]
    counts = (
        Reading.series.using(conn)
        .filter(time__gte=at(0), time__lt=at(60))
        .annotate(c=Count("v"))
        .resolution(Second(20))
    )
    assert counts.into("counts").execute() == 3
    assert counts.fill(0).into("counts_filled").execute() == 9


def test_into_without_group_by_star_turns_tags_into_fields(conn: str) -> None:
    """group_by() naming some tags keeps those; the others become fields,
    and points that differ only by them overwrite each other."""
    write(
        conn,
        Reading(time=at(0), v=1.0, host="a", dc="x"),
        Reading(time=at(0), v=2.0, host="a", dc="y"),
        Reading(time=at(1), v=3.0, host="b", dc="x"),
    )
    written = (
        Reading.series.using(conn).only("v", "dc").group_by("host").into(ReadingCopy)
    ).execute()
    assert written == 3
    copied = ReadingCopy.series.using(conn).group_by("host")
    assert [(t["host"], [p["v"] for p in pts]) for t, pts in series(copied)] == [
        ("a", [2.0]),
        ("b", [3.0]),
    ]


def test_into_a_missing_database_is_an_error(conn: str) -> None:
    """INTO another database needs it to exist, even with nothing to write;
    a missing retention policy is an error only with rows to write."""
    qs = Reading.series.using(conn).only("v")
    with pytest.raises(DatabaseNotFoundError):
        qs.into(Elsewhere).execute()
    assert qs.into(InRaw).execute() == 0


def test_into_another_retention_policy(conn: str) -> None:
    """INTO "rp"."m" writes there, once the policy exists."""
    write(conn, Reading(time=at(0), v=1.0, host="a"))
    qs = Reading.series.using(conn).only("v").into(InRaw)
    assert str(qs.query).startswith('SELECT "v" INTO "raw"."conformance" FROM')
    with pytest.raises(ProgrammingError, match="retention policy not found"):
        qs.execute()
    get_schema_editor(conn).create_retention_policy(
        RetentionPolicy("raw", None), database_of(conn)
    )
    assert qs.execute() == 1
    assert series(InRaw.series.using(conn).group_by("host")) == [
        ({"host": "a"}, [{"time": at(0), "v": 1.0}])
    ]


def test_points_and_queries_naming_no_policy_use_the_default(conn: str) -> None:
    """Once another policy is the default, writes and reads naming none use it."""
    write(conn, Reading(time=at(0), n=1))
    get_schema_editor(conn).create_retention_policy(
        RetentionPolicy("raw", None, default=True), database_of(conn)
    )
    assert rows(Reading.series.using(conn)) == []
    write(conn, Reading(time=at(1), v=2.0, host="a"))
    assert column(Reading.series.using(conn).only("v"), "v") == [2.0]
    assert column(InRaw.series.using(conn).only("v"), "v") == [2.0]
    assert column(InAutogen.series.using(conn).only("n"), "n") == [1]
    assert get_introspection(conn).field_keys("conformance") == {"v": "float"}


# -- tz() with resolution() ---------------------------------------------------------


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


def test_tz_windows_between_an_hour_and_a_day_are_refused(
    both: tuple[str, str],
) -> None:
    """Around a change of offset the server cuts windows longer than the
    change but shorter than a day differently for aggregates and
    selectors; the engine refuses them with tz()."""
    write_both(both, Reading(time=at(0), v=1.0))
    server, engine = both

    def query(alias: str) -> Any:
        return (
            Reading.series.using(alias)
            .filter(time__gte=at(0), time__lt=at(86_400))
            .annotate(Count("v"))
            .resolution(Hour(2))
            .tz("Europe/Paris")
        )

    assert rows(query(server))
    with pytest.raises(UnsupportedCompilation, match="not a whole number of days"):
        list(query(engine))


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


# -- server quirks --------------------------------------------------------------------
#
# Each test below pins what InfluxDB 1.6.7 answers and what the embedded
# engine answers instead. The differential tests never draw these shapes.


@pytest.fixture
def both(influx_url: str) -> Iterator[tuple[str, str]]:
    """The server and the engine side by side, for the quirk tests."""
    server = influxpy.connect(influx_url, alias="quirk-influxdb")
    engine = influxpy.connect("duckdb://:memory:", alias="quirk-duckdb")
    try:
        yield "quirk-influxdb", "quirk-duckdb"
    finally:
        server.close()
        engine.close()


def write_both(aliases: tuple[str, str], *points: Reading) -> None:
    for alias in aliases:
        Reading.series.using(alias).bulk_create(points)


def test_quirk_bare_first_and_last_across_series_pick_any_series(
    both: tuple[str, str],
) -> None:
    """§6.5: ties between series at one time keep the larger value, except
    a bare FIRST/LAST without windows on the server, which returns some
    series' value. The engine keeps the larger value there too."""
    server, engine = both
    write_both(
        both,
        Reading(time=at(0), v=5.0, host="a"),
        Reading(time=at(0), v=9.0, host="b"),
        Reading(time=at(0), v=1.0, host="c"),
    )
    on_server = column(Reading.series.using(server).annotate(First("v")), "first")
    assert on_server[0] in (5.0, 9.0, 1.0)
    assert column(Reading.series.using(engine).annotate(First("v")), "first") == [9.0]
    assert column(Reading.series.using(engine).annotate(Last("v")), "last") == [9.0]


def test_quirk_integral_next_to_other_functions_splits_rows(
    conn: str,
) -> None:
    """A float INTEGRAL is stamped 0 while the other calls take the lower
    bound, so the row splits in two; both backends answer the same."""
    write(conn, *(Reading(time=at(10 * k), v=float(k)) for k in range(4)))
    qs = Reading.series.using(conn).filter(time__gte=at(0))
    assert rows(qs.annotate(Integral("v"), Mean("v"))) == [
        {"time": 0, "integral": 45.0, "mean": None},
        {"time": at(0), "integral": None, "mean": 1.5},
    ]
    assert rows(Reading.series.using(conn).annotate(Integral("v"), Count("v"))) == [
        {"time": 0, "integral": 45.0, "count": 4}
    ]


@pytest.mark.parametrize("call", [Distinct("v"), Top("v", 2), Bottom("v", 2)])
def test_quirk_distinct_top_bottom_only_alone(both: tuple[str, str], call: Any) -> None:
    server, engine = both
    write_both(both, *(Reading(time=at(k), v=float(k)) for k in range(5)))
    with pytest.raises(ProgrammingError, match="cannot be combined"):
        list(Reading.series.using(server).annotate(call, Count("v")))
    with pytest.raises(UnsupportedCompilation):
        list(Reading.series.using(engine).annotate(call, Count("v")))


def test_open_ended_slices_return_every_row_after_the_offset(
    both: tuple[str, str],
) -> None:
    """qs[2:] is every row from the third on, on both backends.

    1.6.7 answers OFFSET without LIMIT with the single row at the offset, so
    the InfluxQL compiler spells the missing LIMIT out.
    """
    write_both(both, *(Reading(time=at(10 * k), v=float(k)) for k in range(5)))
    for alias in both:
        assert column(Reading.series.using(alias).only("v")[2:], "v") == [2.0, 3.0, 4.0]
        assert column(Reading.series.using(alias).only("v")[2:4], "v") == [2.0, 3.0]


def test_series_offset_without_series_limit_skips_series(
    both: tuple[str, str],
) -> None:
    """series_offset(1) skips the first series, on both backends.

    1.6.7 answers SOFFSET without SLIMIT with nothing, so the InfluxQL
    compiler spells the missing SLIMIT out.
    """
    write_both(
        both, *(Reading(time=at(k), v=float(k), host="abc"[k]) for k in range(3))
    )
    for alias in both:
        qs = Reading.series.using(alias).only("v").group_by("host").series_offset(1)
        assert [t["host"] for t, _ in series(qs)] == ["b", "c"]


def test_quirk_top_with_limit_ranks_a_truncated_input(both: tuple[str, str]) -> None:
    """The server pushes LIMIT down to each stored series before TOP ranks
    the points, so TOP(v, 1) LIMIT 1 misses the maximum."""
    server, engine = both
    values = [5.0, 1.0, 9.0, 2.0]
    write_both(
        both,
        *(
            Reading(time=at(10 * k), v=x, host="ab"[k % 2])
            for k, x in enumerate(values)
        ),
    )
    assert column(Reading.series.using(server).annotate(Top("v", 1))[:1], "top") == [
        5.0
    ]
    assert column(Reading.series.using(engine).annotate(Top("v", 1))[:1], "top") == [
        9.0
    ]


def test_quirk_abs_of_an_integer(both: tuple[str, str]) -> None:
    """The server's abs() returns an integer unchanged."""
    server, engine = both
    write_both(both, Reading(time=at(0), n=-5))
    assert column(Reading.series.using(server).annotate(Abs("n")), "abs") == [-5]
    assert column(Reading.series.using(engine).annotate(Abs("n")), "abs") == [5]


def test_quirk_transformation_of_an_aggregate_needs_a_lower_bound(
    both: tuple[str, str],
) -> None:
    """Without a lower bound the server's look-back window overflows and it
    answers nothing; the engine computes the derivative."""
    server, engine = both
    write_both(both, *(Reading(time=at(20 * k), v=float(k * k)) for k in range(4)))

    def query(alias: str) -> Any:
        return (
            Reading.series.using(alias)
            .filter(time__lt=at(80))
            .annotate(Derivative(Mean("v")))
            .resolution(Second(20))
        )

    assert rows(query(server)) == []
    assert column(query(engine), "derivative") == [1.0, 3.0, 5.0]


def test_quirk_integral_with_group_by_orders_series_arbitrarily(
    both: tuple[str, str],
) -> None:
    """The values agree; only the server's series order is not by tags."""
    write_both(
        both,
        *(
            Reading(time=at(10 * k), v=float(k), host=host)
            for host in "abc"
            for k in range(3)
        ),
    )
    results = []
    for alias in both:
        qs = Reading.series.using(alias).annotate(Integral("v")).group_by("host")
        results.append(sorted((t["host"], p["integral"]) for t, (p,) in series(qs)))
    assert results[0] == results[1] == [("a", 20.0), ("b", 20.0), ("c", 20.0)]
    engine_qs = Reading.series.using(both[1]).annotate(Integral("v")).group_by("host")
    assert [t["host"] for t, _ in series(engine_qs)] == ["a", "b", "c"]


def test_quirk_integer_integral_in_descending_order(both: tuple[str, str]) -> None:
    """The server stamps it with the upper bound + 1 ns and may add a second
    row; the engine gives one row stamped with the lower bound."""
    server, engine = both
    write_both(both, *(Reading(time=at(10 * k), n=k) for k in range(3)))

    def query(alias: str) -> Any:
        return (
            Reading.series.using(alias)
            .filter(time__gte=at(0), time__lt=at(60))
            .annotate(Integral("n"))
            .order_by("-time")
        )

    assert rows(query(server))[0]["time"] == at(60)
    assert rows(query(engine)) == [{"time": at(0), "integral": -20.0}]


def test_quirk_grouped_integral_over_windows_splits_series(
    both: tuple[str, str],
) -> None:
    """With GROUP BY tags the server may emit a series' last window after
    other series, as a second series with the same tags; the engine gives
    one series per tag set. The values agree."""
    write_both(
        both,
        *(
            Reading(time=at(10 * k + j), v=float(k * k), host=host)
            for j, host in enumerate("ab")
            for k in range(6)
        ),
    )
    server, engine = both

    def query(alias: str) -> Any:
        return (
            Reading.series.using(alias)
            .filter(time__gte=at(0), time__lt=at(60))
            .annotate(Integral("v"))
            .resolution(Second(20))
            .group_by("host")
        )

    on_server = series(query(server))
    on_engine = series(query(engine))
    assert [t["host"] for t, _ in on_engine] == ["a", "b"]
    assert len(on_server) >= len(on_engine)
    merged: dict[str, list[Any]] = {}
    for tags, points in on_server:
        merged.setdefault(tags["host"], []).extend(points)
    assert [(t["host"], p) for t, p in on_engine] == [
        (host, sorted(points, key=lambda p: p["time"]))
        for host, points in sorted(merged.items())
    ]


def test_holt_winters_matches_the_server_with_gaps_and_groups(
    both: tuple[str, str],
) -> None:
    """Missing windows, two series, seasons of 0, 1 and 3, fill(0)."""
    values = [4, 6, 9, 5, 7, 10, 6, 8, 11, 7, 9, 12]
    write_both(
        both,
        *(
            Reading(time=at(10 * k + j), v=float(x + j), host=host)
            for j, host in enumerate("ab")
            for k, x in enumerate(values)
            if (k + j) % 5 != 3
        ),
    )
    shapes = [
        (HoltWinters(Mean("v"), 2, 0), None),
        (HoltWinters(Max("v"), 3, 3), None),
        (HoltWintersWithFit(Mean("v"), 1, 1), 0),
    ]
    for call, fill in shapes:
        results = []
        for alias in both:
            qs = (
                Reading.series.using(alias)
                .filter(time__gte=at(0), time__lt=at(120))
                .annotate(call)
                .resolution(Second(10))
                .group_by("host")
            )
            results.append(series(qs if fill is None else qs.fill(fill)))
        assert results[0] == results[1], call
        assert results[0]


@pytest.mark.parametrize(
    ("make", "feature"),
    [
        (
            lambda qs: qs.order_by("-time"),
            "integral() with resolution() in descending order",
        ),
    ],
)
def test_integral_windows_the_engine_refuses(
    both: tuple[str, str], make: Any, feature: str
) -> None:
    """In descending order the server's windowed INTEGRAL repeats windows
    with negative areas; the engine refuses it by name."""
    write_both(both, *(Reading(time=at(10 * k), v=float(k)) for k in range(4)))
    server, engine = both

    def query(alias: str) -> Any:
        qs = (
            Reading.series.using(alias)
            .filter(time__gte=at(0), time__lt=at(40))
            .annotate(Integral("v"))
            .resolution(Second(20))
        )
        return make(qs)

    list(query(server))
    with pytest.raises(UnsupportedCompilation, match=re.escape(feature)):
        list(query(engine))


def test_quirk_function_over_windows_starting_before_the_range(
    both: tuple[str, str],
) -> None:
    """An outer function without windows over a subquery whose windows start
    before the outer lower bound: the server answers nothing (with windows
    aligned to the bound it counts them); the engine refuses the shape."""
    write_both(both, *(Reading(time=at(10 * k + 5), v=float(k)) for k in range(6)))
    server, engine = both

    def query(alias: str, lower: str) -> Any:
        inner = Reading.series.using(alias).annotate(m=Mean("v")).resolution(Second(10))
        return (
            inner.subquery()
            .filter(**{lower: at(0)}, time__lt=at(60))
            .annotate(Count("m"))
        )

    assert rows(query(server, "time__gt")) == []
    assert rows(query(server, "time__gte")) == [{"time": at(0), "count": 6}]
    assert rows(query(engine, "time__gte")) == [{"time": at(0), "count": 6}]
    with pytest.raises(UnsupportedCompilation, match="start before the time range"):
        list(query(engine, "time__gt"))


def test_quirk_descending_subquery_splits_its_calls(both: tuple[str, str]) -> None:
    """In descending order the server returns the inner calls of one series
    as separate rows; the engine refuses the shape."""
    write_both(
        both,
        Reading(time=at(0), v=1.0, host="a"),
        Reading(time=at(0), n=2, host="b"),
        Reading(time=at(1), v=3.0, n=4, host="b"),
    )
    server, engine = both

    def query(alias: str) -> Any:
        return (
            Reading.series.using(alias)
            .annotate(m=Mean("v"), k=Count("n"))
            .group_by("host")
            .subquery()
            .order_by("-time")
        )

    on_server = rows(query(server))
    assert len(on_server) == 3
    assert sorted((p["host"], repr(p["m"]), repr(p["k"])) for p in on_server) == [
        ("a", "1.0", "None"),
        ("b", "3.0", "None"),
        ("b", "None", "2"),
    ]
    with pytest.raises(UnsupportedCompilation, match="over a subquery of several"):
        list(query(engine))


def test_quirk_raw_select_over_grouped_calls_splits_rows(
    both: tuple[str, str],
) -> None:
    """A raw SELECT that merges the series of a grouped subquery of several
    calls: the server takes each call's points in time order across series
    but pairs them series first, so a row whose calls wait behind another
    series' earlier point comes apart (a row per call). The engine keeps
    each inner row whole; grouped by the inner tags, both agree."""
    write_both(
        both,
        Reading(time=at(0), v=1.0, host="b"),
        Reading(time=at(10), v=2.0, n=5, host="b"),
        Reading(time=at(0), v=3.0, host="c"),
    )
    server, engine = both

    def query(alias: str) -> Any:
        inner = (
            Reading.series.using(alias)
            .annotate(m=Mean("v"), k=Count("n"))
            .resolution(Second(10))
            .group_by("host")
        )
        return inner.subquery().filter(time__lt=at(120)).only("m", "k")

    assert rows(query(server)) == [
        {"time": at(0), "m": 1.0, "k": None},
        {"time": at(10), "m": None, "k": 1},
        {"time": at(0), "m": 3.0, "k": None},
        {"time": at(10), "m": 2.0, "k": None},
    ]
    assert rows(query(engine)) == [
        {"time": at(0), "m": 1.0, "k": None},
        {"time": at(0), "m": 3.0, "k": None},
        {"time": at(10), "m": 2.0, "k": 1},
    ]
    for alias in both:
        assert series(query(alias).group_by("host")) == [
            (
                {"host": "b"},
                [
                    {"time": at(0), "m": 1.0, "k": None},
                    {"time": at(10), "m": 2.0, "k": 1},
                ],
            ),
            ({"host": "c"}, [{"time": at(0), "m": 3.0, "k": None}]),
        ]


def test_quirk_integer_sum_past_int64_wraps_on_the_server(
    both: tuple[str, str],
) -> None:
    """The server's integer sum wraps around past 2**63 - 1 (Go's int64);
    the engine refuses to answer a wrong sum and names the value."""
    write_both(both, Reading(time=at(0), n=2**62), Reading(time=at(1), n=2**62))
    server, engine = both
    assert column(Reading.series.using(server).annotate(Sum("n")), "sum") == [-(2**63)]
    with pytest.raises(ProgrammingError, match=r"9223372036854775808.*out of range"):
        list(Reading.series.using(engine).annotate(Sum("n")))
