"""Selector functions on both backends.

Each test runs once on the server and once on the engine (the ``conn``
fixture); see ``tests/conformance/__init__.py``.
"""

from __future__ import annotations

import pytest

import influxpy
from conformance._common import Reading, at, column, pairs, rows, series, write
from influxpy.durations import Minute, Second
from influxpy.exceptions import ProgrammingError
from influxpy.functions import Bottom, First, Last, Max, Min, Top


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


@pytest.mark.parametrize(
    ("select", "expected"),
    [
        ("first(b)", {"first": False}),
        ("last(b)", {"last": True}),
        ("first(b), last(b)", {"first": False, "last": True}),
        ("first(b), host", {"first": False, "host": "b"}),
        ("first(s)", {"first": "y"}),
        ("last(s)", {"last": "y"}),
    ],
)
@pytest.mark.parametrize("descending", [False, True])
def test_first_of_booleans_of_one_time_picks_false(
    conn: str, select: str, expected: dict[str, object], descending: bool
) -> None:
    """Points of several series at one time in a window: FIRST and LAST keep
    the larger value (``'y'`` of strings), but FIRST of booleans keeps
    ``false`` (influxd's ``BooleanFirstReduce``; LAST keeps ``true``)."""
    backend = influxpy.get_connection(conn)
    backend.create_database("boolean_ties")
    lines = [
        'm,host=a b=true,s="x" 10',
        'm,host=b b=false,s="y" 10',
        'm,host=c b=true,s="w" 10',
    ]
    backend.write_lines(lines, database="boolean_ties")
    order = " ORDER BY time DESC" if descending else ""
    text = (
        f"SELECT {select} FROM m WHERE time >= 0 AND time < 60s "
        f"GROUP BY time(1m){order}"
    )
    results = backend.query(text, database="boolean_ties", epoch="ns")
    assert [point for result in results for point in result.points] == [
        {"time": 0, **expected}
    ]
