"""Subqueries on both backends.

Each test runs once on the server and once on the engine (the ``conn``
fixture); see ``tests/conformance/__init__.py``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from conformance._common import (
    UTC,
    Reading,
    S,
    approx,
    at,
    pairs,
    rows,
    series,
    write,
)
from influxpy import F
from influxpy.durations import Day, Hour, Second
from influxpy.functions import Count, Derivative, Max, Mean, Median, Min, Sum


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


def test_a_column_of_several_inner_calls_in_descending_order(conn: str) -> None:
    """``m`` reads two inner calls: at 10 s host ``b``'s ``count(n)``
    waits behind host ``a``'s and comes apart from ``b``'s mean, so ``m``
    is null in both of ``b``'s rows (test_subquery_call_columns.py)."""
    write(
        conn,
        Reading(time=at(5), v=1.0, n=2, host="a"),
        Reading(time=at(15), n=3, host="a"),
        Reading(time=at(15), v=4.0, n=5, host="b"),
    )
    query = (
        Reading.series.using(conn)
        .annotate(m=Mean("v") + Count("n"), k=Count("v"))
        .group_by("host")
        .resolution(Second(10))
        .subquery()
        .filter(time__gte=at(0), time__lt=at(40))
        .only("m", "k")
        .order_by("-time")
    )
    assert sorted((p["time"], repr(p["m"]), repr(p["k"])) for p in rows(query)) == [
        (at(0), "2.0", "1"),
        (at(10), "None", "1"),
        (at(10), "None", "None"),
        (at(10), "None", "None"),
    ]
