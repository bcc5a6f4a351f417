"""Mismatches the differential tests found, as small named cases.

``tests/test_differential.py`` draws random data and QuerySets and
compares the server with the engine; each difference it found is kept
here once fixed, run on both backends (``conn``) with the server's answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import Reading, approx, at, write
from influxpy.durations import Second
from influxpy.expressions import F
from influxpy.functions import (
    Count,
    CumulativeSum,
    Derivative,
    Difference,
    Elapsed,
    ExponentialMovingAverage,
    Max,
    Mean,
    MovingAverage,
    NonNegativeDerivative,
    RelativeStrengthIndex,
    TripleExponentialDerivative,
)

#: Window means 0, 0, 0, 0, 1, 2, 1, 1, 1: RSI's first gains and losses are
#: both 0, so its first values are 0/0 (NaN, answered as null).
ZEROS_FIRST = [0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 1.0, 1.0, 1.0]


def rsi() -> Any:
    return RelativeStrengthIndex(Mean("v"), 3, 2)


NAN_CASES: list[tuple[str, Any, list[tuple[int, Any]]]] = [
    (
        "rsi itself",
        rsi(),
        [
            (20, None),
            (30, None),
            (40, 100.0),
            (50, 100.0),
            (60, 52.63157894736843),
            (70, 52.63157894736843),
            (80, 52.63157894736843),
        ],
    ),
    (
        "derivative",
        Derivative(rsi()),
        [
            (30, None),
            (40, None),
            (50, 0.0),
            (60, -47.36842105263157),
            (70, 0.0),
            (80, 0.0),
        ],
    ),
    (
        "non-negative derivative",
        NonNegativeDerivative(rsi()),
        [(30, None), (40, None), (50, 0.0), (70, 0.0), (80, 0.0)],
    ),
    (
        "difference",
        Difference(rsi()),
        [
            (30, None),
            (40, None),
            (50, 0.0),
            (60, -47.36842105263157),
            (70, 0.0),
            (80, 0.0),
        ],
    ),
    (
        "cumulative sum",
        CumulativeSum(rsi()),
        [(20 + 10 * k, None) for k in range(7)],
    ),
    (
        "moving average",
        MovingAverage(rsi(), 2),
        [(30 + 10 * k, None) for k in range(6)],
    ),
    (
        "moving average of a difference",
        MovingAverage(Difference(rsi()), 2),
        [(40 + 10 * k, None) for k in range(5)],
    ),
    (
        "elapsed",
        Elapsed(rsi()),
        [(30 + 10 * k, 10_000_000_000) for k in range(6)],
    ),
    (
        "exponential moving average",
        ExponentialMovingAverage(rsi(), 2),
        [(30 + 10 * k, None) for k in range(6)],
    ),
    (
        "rsi of rsi",
        RelativeStrengthIndex(rsi(), 2),
        [(40, None), (50, None), (60, 0.0), (70, 0.0), (80, 0.0)],
    ),
    (
        "difference of trix",
        Difference(TripleExponentialDerivative(Mean("v"), 2)),
        [
            (30, None),
            (50, None),
            (60, -177.77777777777777),
            (70, -21.212121212121215),
            (80, -4.010101010101019),
        ],
    ),
    (
        "moving average of trix",
        MovingAverage(TripleExponentialDerivative(Mean("v"), 2), 2),
        [(30, None), (50, None), (60, None), (70, None), (80, None)],
    ),
]


@pytest.mark.parametrize(
    ("call", "expected"),
    [pytest.param(call, expected, id=name) for name, call, expected in NAN_CASES],
)
def test_transformation_reads_the_nan_of_technical_analysis(
    conn: str, call: Any, expected: list[tuple[int, Any]]
) -> None:
    """A technical-analysis function's 0/0 is a NaN point (null in the
    answer) that a transformation of it reads: its difference, derivative
    or sum is NaN too, and a moving average keeps the NaN in its running
    sum. The engine dropped those points as if they were empty windows."""
    write(conn, *(Reading(time=at(10 * k), v=x) for k, x in enumerate(ZEROS_FIRST)))
    qs = (
        Reading.series.using(conn)
        .filter(time__gte=at(0), time__lt=at(90))
        .annotate(x=call)
        .resolution(Second(10))
    )
    got = [(p["time"], p["x"]) for r in qs.epoch() for p in r.points]
    assert got == approx([(at(t), x) for t, x in expected])


def test_descending_subquery_of_several_calls_grouped_by_all_tags_inside_and_out(
    conn: str,
) -> None:
    """Grouped by every tag inside (GROUP BY *) and out, each outer series
    is one inner series, and in descending order the server keeps each
    inner row of several calls whole, also where a series lacks one call's
    field. The engine split the row of the series holding both."""
    write(conn, Reading(time=at(0), v=0.0), Reading(time=at(0), v=0.0, n=0, host="a"))
    inner = Reading.series.using(conn).group_by("*").annotate(m=Mean("v"), k=Count("n"))
    qs = (
        inner.subquery()
        .filter(time__lt=at(120))
        .only("m", "k")
        .group_by("*")
        .order_by("-time")
    )
    assert [(r.tags, r.points) for r in qs.epoch()] == [
        ({"host": "a"}, [{"time": 0, "m": 0.0, "k": 1}]),
        ({"host": ""}, [{"time": 0, "m": 0.0, "k": None}]),
    ]


@pytest.mark.parametrize(
    ("fill", "expected"),
    [(0, [0, 0, 0, 0]), (5, [5, 5, 10, 10]), (2.5, [2.5, 2.5, 4.5, 4.5])],
)
def test_a_selector_plus_a_field_never_stored_reads_the_fill_number(
    conn: str, fill: Any, expected: list[Any]
) -> None:
    """``max(n) + v`` (v never stored) with windows and ``fill(N)``: the server fills
    the empty cell of the field the measurement never stored with N, and
    adds that number (the empty windows' selector is N too, an integer
    field's N truncated: 2 + 2.5). The engine
    answered null, reading the field's type as unknown."""
    write(conn, Reading(time=at(0), n=0), Reading(time=at(10), n=0))
    qs = (
        Reading.series.using(conn)
        .filter(time__gte=at(0), time__lt=at(40))
        .annotate(x=Max("n") + F("v"))
        .resolution(Second(10))
        .fill(fill)
    )
    got = [p["x"] for r in qs.epoch() for p in r.points]
    assert got == expected
    assert [type(v) for v in got] == [type(v) for v in expected]
