"""``F(name, cast='integer')``: InfluxQL's value casts from the QuerySet.

``F('v', cast='integer')`` compiles to ``"v"::integer``: influxd reads a
float field truncated toward zero, an integer field as a float, and any
other pair (a string read as a number, a number read as a string or a
boolean) as nothing. Each test runs on the server and on the engine
(``conn``) and expects the server's answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import Reading, at, write
from influxpy import F, Max, Sum


@pytest.fixture
def mixed(conn: str) -> str:
    write(
        conn,
        Reading(time=at(1), v=2.75, n=3, s="x", ok=True, host="a"),
        Reading(time=at(2), v=-1.5, n=-4, s="y", ok=False, host="a"),
    )
    return conn


def _points(qs: Any) -> list[dict[str, Any]]:
    return [p for r in qs.epoch() for p in r.points]


def test_raw_values(mixed: str) -> None:
    qs = Reading.series.using(mixed).annotate(
        vi=F("v", cast="integer"), nf=F("n", cast="float") / 2, vf=F("v", cast="float")
    )
    assert str(qs.query) == (
        'SELECT "v"::integer AS "vi", "n"::float / 2 AS "nf", "v"::float AS "vf" '
        'FROM "conformance"'
    )
    assert [(p["vi"], p["nf"], p["vf"]) for p in _points(qs)] == [
        (2, 1.5, 2.75),
        (-1, -2.0, -1.5),
    ]


def test_other_pairs_read_nothing(mixed: str) -> None:
    qs = Reading.series.using(mixed).annotate(
        a=F("s", cast="integer"), b=F("v", cast="string"), v="v"
    )
    assert [(p["a"], p["b"]) for p in _points(qs)] == [(None, None), (None, None)]


def test_inside_calls(mixed: str) -> None:
    qs = Reading.series.using(mixed).annotate(
        total=Sum(F("n", cast="float")), top=Max(F("v", cast="float"))
    )
    assert str(qs.query) == (
        'SELECT sum("n"::float) AS "total", max("v"::float) AS "top" FROM "conformance"'
    )
    ((point),) = _points(qs)
    assert (point["total"], point["top"]) == (-1.0, 2.75)


def test_an_unknown_cast_is_refused() -> None:
    with pytest.raises(ValueError, match="a value type \\(float, integer"):
        F("v", cast="unsigned")
