"""Transformations (derivatives, differences, moving averages...) on both backends.

Each test runs once on the server and once on the engine (the ``conn``
fixture); see ``tests/conformance/__init__.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

import influxpy
from conformance._common import (
    Reading,
    S,
    approx,
    at,
    column,
    pairs,
    rows,
    windowed,
    write,
)
from influxpy.durations import Second
from influxpy.functions import (
    CumulativeSum,
    Derivative,
    Difference,
    Elapsed,
    Max,
    Mean,
    MovingAverage,
    NonNegativeDerivative,
    NonNegativeDifference,
)


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


#: Transformations of INTEGRAL over windows read the windows before the
#: range as those of any aggregate do (the first rows once came out empty).
OF_INTEGRAL = [
    "SELECT derivative(integral(v)) FROM conformance {w}",
    "SELECT difference(integral(v)), mean(v) FROM conformance {w}",
    "SELECT non_negative_difference(integral(n, 10s)) FROM conformance {w}",
    "SELECT moving_average(integral(v), 3) FROM conformance {w}",
    "SELECT elapsed(integral(v)) FROM conformance {w} fill(0)",
    (
        "SELECT derivative(integral(v), 10s), max(n) FROM conformance {r} "
        "GROUP BY time(30s, 10s)"
    ),
    "SELECT difference(difference(integral(v))) FROM conformance {w}",
    "SELECT derivative(integral(v)) FROM conformance {w} LIMIT 2 OFFSET 1",
    "SELECT derivative(integral(v)) FROM conformance {w} tz('Asia/Kolkata')",
    "SELECT exponential_moving_average(integral(v), 2) FROM conformance {w}",
]


@pytest.mark.parametrize("shape", OF_INTEGRAL)
def test_transformations_of_integral_over_windows(
    both: tuple[str, str], shape: str
) -> None:
    r = f"WHERE time >= {at(15)} AND time < {at(120)}"
    text = shape.format(r=r, w=f"{r} GROUP BY time(30s)")
    answers = []
    for alias in both:
        write(
            alias,
            *(
                Reading(time=at(10 * k + k % 4), v=float((k * 7) % 5), n=(k * 3) % 4)
                for k in range(-6, 14)
                if k % 5 != 2
            ),
        )
        (result,) = list(influxpy.get_connection(alias).statements(text))
        assert result.error is None, (alias, text, result.error)
        answers.append([(s.tags, s.columns, s.values) for s in result.series])
    server, engine = answers
    assert server, text
    assert [(t, c) for t, c, _ in engine] == [(t, c) for t, c, _ in server]
    for (_, _, mine), (_, _, theirs) in zip(engine, server, strict=True):
        assert [r[0] for r in mine] == [r[0] for r in theirs], text
        assert [r[1:] for r in mine] == [approx(r[1:], rel=1e-12) for r in theirs]
