"""Statements of InfluxDB's own server scenarios, written as QuerySets.

Each test runs once on the server and once on the engine (``conn``):
the QuerySet compiles to the statement the scenario sends, and both
backends give the server's answer.
"""

from __future__ import annotations

import pytest

from conformance._common import Reading, at, rows, write
from influxpy import F, Q
from influxpy.durations import Second
from influxpy.exceptions import CompileError, FieldError
from influxpy.functions import Max, Mean, Min


@pytest.fixture
def loads(conn: str) -> str:
    """A load (v) beside a core count (n) per point, and a flag."""
    write(
        conn,
        Reading(time=at(0), v=100.0, n=4, ok=True, host="a"),
        Reading(time=at(10), v=80.0, n=8, ok=False, host="b"),
        Reading(time=at(20), v=120.0, n=2, ok=True),
        Reading(time=at(30), v=50.0, n=50, host="a"),
    )
    return conn


def test_a_field_compared_with_another_field(loads: str) -> None:
    qs = Reading.series.using(loads)
    above = qs.filter(v__gt=F("n")).only("v")
    assert str(above.query) == 'SELECT "v" FROM "conformance" WHERE "v" > "n"'
    assert [p["v"] for p in rows(above)] == [100.0, 80.0, 120.0]
    equal = qs.filter(v=F("n")).only("v")
    assert rows(equal) == [{"time": at(30), "v": 50.0}]
    differ = qs.exclude(v=F("n")).only("v")
    assert str(differ.query).endswith('WHERE "v" != "n"')
    assert [p["time"] for p in rows(differ)] == [at(0), at(10), at(20)]


def test_a_field_compared_with_arithmetic_of_fields(loads: str) -> None:
    qs = Reading.series.using(loads)
    scaled = qs.filter(v__gt=F("n") * 20).only("v")
    assert str(scaled.query).endswith('WHERE "v" > "n" * 20')
    assert [p["v"] for p in rows(scaled)] == [100.0, 120.0]
    either = qs.filter(Q(v__lte=F("n") + 70) | Q(host="b")).only("v")
    assert [p["v"] for p in rows(either)] == [80.0, 50.0]


def test_a_subquery_alias_compared_with_another(loads: str) -> None:
    inner = Reading.series.using(loads).annotate(d=F("v") - F("n"), c=F("n"))
    qs = inner.subquery().filter(d__gt=F("c")).only("d")
    assert [p["d"] for p in rows(qs)] == [96.0, 72.0, 118.0]


def test_field_comparisons_influxdb_cannot_answer_are_refused() -> None:
    qs = Reading.series
    with pytest.raises(CompileError, match="on tags with no rows"):
        qs.filter(host__gt=F("dc"))
    with pytest.raises(FieldError, match="not a tag or a string field"):
        qs.filter(host=F("v"))
    with pytest.raises(FieldError, match="function"):
        qs.filter(v__gt=Mean("n"))
    with pytest.raises(CompileError, match="string fields"):
        qs.filter(s__gt=F("s"))
    with pytest.raises(FieldError, match="exact, gt, gte, lt, lte, ne"):
        qs.filter(v__in=F("n"))


def test_max_and_min_of_a_boolean_field(loads: str) -> None:
    qs = Reading.series.using(loads)
    assert rows(qs.annotate(Max("ok"), Min("ok"))) == [
        {"time": 0, "max": True, "min": False}
    ]
    windows = (
        qs.filter(time__gte=at(0), time__lt=at(40))
        .annotate(Max("ok"))
        .resolution(Second(20))
    )
    assert rows(windows) == [
        {"time": at(0), "max": True},
        {"time": at(20), "max": True},
    ]


def test_a_negated_field_and_aggregate(loads: str) -> None:
    qs = Reading.series.using(loads)
    negated = qs.annotate(x=-F("n"))
    assert str(negated.query) == 'SELECT -1 * "n" AS "x" FROM "conformance"'
    assert [p["x"] for p in rows(negated)] == [-4, -8, -2, -50]
    assert rows(qs.annotate(x=-Mean("v"))) == [{"time": 0, "x": -87.5}]
