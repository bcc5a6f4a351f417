"""Filtering on an annotation's arithmetic, as influxd 1.6.7 answers it.

``annotate(odd=F('n') % 2).filter(odd=1)`` selects the annotation and
compares its arithmetic in WHERE (``WHERE "n" % 2 = 1``), as Django filters
an annotation; InfluxQL cannot name a select alias in WHERE, so the
expression is written out. Row-wise math of a stored field is evaluated on
each point (``annotate(a=Abs('v')).filter(a__gt=1)``: ``WHERE abs("v") >
1``); any other function cannot be filtered (WHERE applies before
functions), nor math influxd evaluates to nothing there (of arithmetic or
another call, ``log()``). Each test runs on the server and on the engine
(``conn``) and expects the server's answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import Reading, at, write
from influxpy import F, Max
from influxpy.exceptions import FieldError
from influxpy.functions import Abs, Atan2, Log, Pow, Sqrt


@pytest.fixture
def five(conn: str) -> str:
    write(
        conn,
        *(
            Reading(time=at(k), n=k, v=k * 1.5, ok=k % 2 == 0, host="a")
            for k in range(1, 6)
        ),
    )
    return conn


def _times(qs: Any) -> list[int]:
    return [p["time"] for r in qs.epoch() for p in r.points]


def test_modulo(five: str) -> None:
    qs = Reading.series.using(five).annotate(odd=F("n") % 2).filter(odd=1)
    assert str(qs.query) == (
        'SELECT "n" % 2 AS "odd" FROM "conformance" WHERE "n" % 2 = 1'
    )
    assert _times(qs) == [at(1), at(3), at(5)]
    assert _times(qs.exclude(odd=1)) == []


def test_bitwise_and_comparisons(five: str) -> None:
    base = Reading.series.using(five).annotate(low=F("n").bitand(3))
    assert _times(base.filter(low=0)) == [at(4)]
    assert _times(base.filter(low__gte=2)) == [at(2), at(3)]
    assert _times(base.filter(low__ne=F("n"))) == [at(4), at(5)]
    both = Reading.series.using(five).annotate(x=F("ok").bitand(True))
    assert _times(both.filter(x=True)) == [at(2), at(4)]


def test_float_arithmetic(five: str) -> None:
    qs = Reading.series.using(five).annotate(w=F("v") * 2 - F("n"))
    assert _times(qs.filter(w__gt=5)) == [at(3), at(4), at(5)]
    assert _times(qs.filter(w__lt=F("n") + 4, w__gt=3)) == [at(2), at(3)]


def test_a_field_name_stays_the_field(five: str) -> None:
    qs = Reading.series.using(five).annotate(n=F("n") * 10).filter(n=2)
    assert 'WHERE "n" = 2' in str(qs.query)
    assert _times(qs) == [at(2)]


def test_row_math(five: str) -> None:
    qs = Reading.series.using(five).annotate(a=Abs("v") - 3)
    assert str(qs.filter(a__gt=1).query) == (
        'SELECT abs("v") - 3 AS "a" FROM "conformance" WHERE abs("v") - 3 > 1'
    )
    assert _times(qs.filter(a__gt=1)) == [at(3), at(4), at(5)]
    squared = Reading.series.using(five).annotate(sq=Pow("n", 2))
    assert _times(squared.filter(sq__gte=F("n") * 4)) == [at(4), at(5)]
    root = Reading.series.using(five).annotate(r=Sqrt("n"))
    assert _times(root.filter(r=2)) == [at(4)]
    angle = Reading.series.using(five).annotate(t=Atan2("v", "n"))
    assert _times(angle.filter(t__gt=0.98)) == [at(1), at(2), at(3), at(4), at(5)]


@pytest.mark.parametrize(
    ("annotation", "lookup", "error"),
    [
        (Max("n"), "x", "holds a function"),
        (Abs(F("n") - 1), "x__gt", "only over a stored field"),
        (Abs(Sqrt("n")), "x__gt", "only over a stored field"),
        (Log("n", 2), "x__gt", "log"),
        (F("n") + 1, "x__in", "compared through exact, gt, gte, lt, lte, ne only"),
        (F("n") + 1, "x__regex", "compared through"),
    ],
)
def test_refusals(annotation: Any, lookup: str, error: str) -> None:
    qs = Reading.series.annotate(x=annotation)
    with pytest.raises(FieldError, match=error):
        qs.filter(**{lookup: 1})
