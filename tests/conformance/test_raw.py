"""Raw SELECT on both backends: fields, tags, arithmetic and lookups.

Each test runs once on the server and once on the engine (the ``conn``
fixture); see ``tests/conformance/__init__.py``.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

from conformance._common import UTC, Reading, S, at, column, rows, write
from influxpy import F, Now, Q
from influxpy.durations import Hour, Minute
from influxpy.functions import Count


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


def test_a_missing_dividend_is_null_even_over_zero(conn: str) -> None:
    write(conn, Reading(time=at(0), v=1.0), Reading(time=at(1), n=0))
    values = Reading.series.using(conn).annotate(a=F("v") / F("n"), c=F("n") % F("n"))
    missing = Reading.series.using(conn).annotate(b=F("ok") / F("n"))
    assert [(r["a"], r["c"]) for r in rows(values)] == [(None, None), (None, 0)]
    assert [r["b"] for r in rows(missing)] == [None]


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
