"""Aggregate functions, and the time of an aggregate, on both backends.

Each test runs once on the server and once on the engine (the ``conn``
fixture); see ``tests/conformance/__init__.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import Reading, approx, at, column, pairs, rows, series, write
from influxpy import F
from influxpy.durations import Minute, Second
from influxpy.functions import (
    Count,
    Distinct,
    Func,
    Integral,
    Mean,
    Median,
    Mode,
    Percentile,
    Spread,
    StdDev,
    Sum,
)


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


def test_aggregate_time_without_resolution(ten: str) -> None:
    qs = Reading.series.using(ten).annotate(Mean("v"))
    assert column(qs.filter(time__gte=at(15)), "time") == [at(15)]
    assert column(qs.filter(time__gt=at(15)), "time") == [at(15) + 1]
    assert column(qs, "time") == [0]
